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

    /// <summary>The environment variable in which fleet-boot tells the agent which slot it started.</summary>
    public const string RunningVariable = "FLEET_SLOT";

    /// <summary>The slot this process runs from, worked out in this one place: <c>FLEET_SLOT</c> when fleet-boot
    /// started it, otherwise the slot the <c>current</c> link names; null in a development run that has neither.</summary>
    public static string? Running(DeviceRoot root)
    {
        var fromBoot = Environment.GetEnvironmentVariable(RunningVariable);
        return IsValid(fromBoot) ? fromBoot : new BootStore(root).CurrentSlot();
    }
}
