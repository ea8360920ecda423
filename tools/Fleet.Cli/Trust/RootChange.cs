namespace Fleet.Cli.Trust;

/// <summary>What a new root version changes: root keys added (private, they sign it) and removed (by key, id or name),
/// the new threshold, an explicit targets key set, and the new expiry.</summary>
internal sealed record RootChange(IReadOnlyList<string> AddKeys, IReadOnlyList<string> RemoveKeys, int? Threshold, IReadOnlyList<string> TargetsKeys, DateTimeOffset Expires);
