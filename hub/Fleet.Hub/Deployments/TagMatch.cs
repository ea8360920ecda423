namespace Fleet.Hub.Deployments;

/// <summary>How a group's tags select devices: the device has all of them, or any one.</summary>
internal static class TagMatch
{
    public const string All = "all";
    public const string Any = "any";

    public static bool IsKnown(string? value) => value is All or Any;
}
