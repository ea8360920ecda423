using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary>What a signature is about to change, printed to stderr just before the offline keys sign it: versions,
/// expiries, root and targets keys added or removed, thresholds, and each scope's keys. The operator sees the diff
/// against what the hub serves (checked against the trust copy) before anything is signed.</summary>
internal static class TrustSummary
{
    public static void Init(string product, RoleSpec root, RoleSpec targets, DateTimeOffset rootExpires, DateTimeOffset targetsExpires)
    {
        var names = KeyReference.KnownNames();
        Write($"signing root.json v1 of {product}, expires {TrustDuration.Format(rootExpires)}");
        Write($"  root keys (threshold {root.Threshold}): {Keys(root.Keys, names)}");
        Write($"  targets keys (threshold {targets.Threshold}): {Keys(targets.Keys, names)}");
        Write($"signing targets.json v1 of {product}, expires {TrustDuration.Format(targetsExpires)}: no signing key trusted yet");
    }

    public static void Targets(string product, long fromVersion, DateTimeOffset? fromExpires, long toVersion, DateTimeOffset toExpires,
        IReadOnlyList<DelegationSpec> before, IReadOnlyList<DelegationSpec> after, bool reissued)
    {
        var names = KeyReference.KnownNames();
        var was = fromVersion == 0 ? "none before" : $"replaces v{fromVersion}";
        Write($"signing targets.json v{toVersion} of {product} ({was}), expires {TrustDuration.Format(toExpires)}" +
            (fromExpires is { } e && e != toExpires ? $" (was {TrustDuration.Format(e)})" : ""));
        if (reissued)
        {
            Write($"  re-issued: the delegations of v{fromVersion} are not carried over; only the scopes below are trusted");
        }

        var changed = false;
        foreach (var scope in before.Select(d => d.Scope).Concat(after.Select(d => d.Scope)).Distinct())
        {
            var old = before.FirstOrDefault(d => d.Scope == scope);
            var now = after.FirstOrDefault(d => d.Scope == scope);
            foreach (var key in now?.Keys.Where(k => old?.Keys.Contains(k) != true) ?? [])
            {
                Write($"  + scope {scope}: key {Key(key, names)}");
                changed = true;
            }

            foreach (var key in old?.Keys.Where(k => now?.Keys.Contains(k) != true) ?? [])
            {
                Write($"  - scope {scope}: key {Key(key, names)}{(now is null ? " (scope dropped)" : "")}");
                changed = true;
            }

            if (old is not null && now is not null && old.Threshold != now.Threshold)
            {
                Write($"  scope {scope}: threshold {old.Threshold} -> {now.Threshold}");
                changed = true;
            }
        }

        if (!changed)
        {
            Write(after.Count == 0 ? "  no signing key trusted anywhere" : $"  delegations unchanged ({after.Count} scope(s))");
        }
    }

    public static void Root(string product, RootMetadata old, long version, RoleSpec root, RoleSpec targets, DateTimeOffset expires, string? targetsNote)
    {
        var names = KeyReference.KnownNames();
        Write($"signing root.json v{version} of {product} (replaces v{old.Version}), expires {TrustDuration.Format(expires)}" +
            (old.Expires != expires ? $" (was {TrustDuration.Format(old.Expires)})" : ""));
        Role("root", old, old.Role(TufRoles.Root), root, names);
        Role("targets", old, old.Role(TufRoles.Targets), targets, names);
        if (targetsNote is not null)
        {
            Write($"  {targetsNote}");
        }
    }

    private static void Role(string name, RootMetadata old, RoleKeys before, RoleSpec after, IReadOnlyDictionary<string, string> names)
    {
        var oldKeys = before.KeyIds.Select(id => old.Keys[id].Key).ToList();
        var added = after.Keys.Where(k => !oldKeys.Contains(k)).ToList();
        var removed = oldKeys.Where(k => !after.Keys.Contains(k)).ToList();
        if (added.Count == 0 && removed.Count == 0 && before.Threshold == after.Threshold)
        {
            Write($"  {name} keys unchanged (threshold {after.Threshold}): {Keys(after.Keys, names)}");
            return;
        }

        foreach (var k in added)
        {
            Write($"  + {name} key {Key(k, names)}");
        }

        foreach (var k in removed)
        {
            Write($"  - {name} key {Key(k, names)}");
        }

        Write($"  {name} threshold {before.Threshold} -> {after.Threshold} of {after.Keys.Count} key(s)");
    }

    private static string Keys(IEnumerable<VerifyingKey> keys, IReadOnlyDictionary<string, string> names) => string.Join(", ", keys.Select(k => Key(k, names)));

    private static string Key(VerifyingKey key, IReadOnlyDictionary<string, string> names)
    {
        var tuf = TufKey.From(key);
        return names.TryGetValue(tuf.KeyId, out var n) ? $"{n} ({tuf.FleetKeyId})" : tuf.FleetKeyId;
    }

    private static void Write(string line) => Console.Error.WriteLine(line);
}
