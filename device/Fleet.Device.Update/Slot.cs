namespace Fleet.Device.Update;

/// <summary>The two firmware slots. An update always goes into the one that is not running.</summary>
public static class Slot
{
    public const string A = "a";
    public const string B = "b";

    public static string Other(string slot) => slot switch
    {
        A => B,
        B => A,
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "a slot is 'a' or 'b'"),
    };

    public static bool IsValid(string? slot) => slot is A or B;
}
