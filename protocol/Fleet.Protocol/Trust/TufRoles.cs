namespace Fleet.Protocol.Trust;

/// <summary>TUF's top-level role names, and the spec version Fleet writes.</summary>
public static class TufRoles
{
    public const string Root = "root";
    public const string Targets = "targets";
    public const string Snapshot = "snapshot";
    public const string Timestamp = "timestamp";
    public const string SpecVersion = "1.0.31";

    /// <summary>Fleet's one addition to root: the product the metadata speaks for (TUF keeps unknown fields).</summary>
    public const string ProductField = "x-fleet-product";

    public static readonly IReadOnlyList<string> TopLevel = [Root, Targets, Snapshot, Timestamp];
}
