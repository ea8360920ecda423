namespace Fleet.Cli.Trust;

/// <summary>What the hub accepted: the versions now current and whether the root and targets changed.</summary>
internal sealed record TrustChange(long RootVersion, DateTimeOffset RootExpires, long? TargetsVersion, DateTimeOffset? TargetsExpires, bool RootChanged, bool TargetsChanged);
