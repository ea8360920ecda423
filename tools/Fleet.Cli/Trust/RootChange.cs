namespace Fleet.Cli.Trust;

/// <summary>What a new root version changes: root keys added (private, they sign it) and removed (by key, id or name),
/// the new threshold, an explicit targets key set, the new expiry, and product signing keys that also sign it
/// (<c>--legacy-key</c>: so tanks provisioned before TUF, which trust those keys, adopt it over the air).</summary>
internal sealed record RootChange(IReadOnlyList<string> AddKeys, IReadOnlyList<string> RemoveKeys, int? Threshold, IReadOnlyList<string> TargetsKeys, DateTimeOffset Expires,
    IReadOnlyList<string>? LegacyKeys = null);
