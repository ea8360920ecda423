namespace Fleet.Protocol.Messages;

/// <summary>The update stages a device reports, as fixed in DESIGN.md.</summary>
public static class UpdateStages
{
    public const string Received = "received";
    public const string Downloading = "downloading";
    public const string Staged = "staged";
    public const string Rebooting = "rebooting";
    public const string Committed = "committed";
    public const string RolledBack = "rolled_back";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Received, Downloading, Staged, Rebooting, Committed, RolledBack, Failed];
}
