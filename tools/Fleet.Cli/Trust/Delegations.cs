using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary>Edits of targets' delegations (one role per scope), as values: add a key to a scope, drop a key from one
/// scope or all, hand an old key's scopes to a new key. A scope left without keys is dropped (TUF needs at least
/// threshold keys per role); a threshold above the keys left is lowered to what remains.</summary>
internal static class Delegations
{
    public static List<DelegationSpec> Add(IReadOnlyList<DelegationSpec> current, VerifyingKey key, TrustScope scope)
    {
        var list = current.ToList();
        var index = list.FindIndex(d => d.Scope == scope);
        if (index < 0)
        {
            list.Add(new DelegationSpec(scope, [key]));
            return list;
        }

        if (list[index].Keys.Contains(key))
        {
            throw new CliFailure($"key {key.KeyId} is already trusted for scope {scope}; nothing to add");
        }

        list[index] = list[index] with { Keys = [.. list[index].Keys, key] };
        return list;
    }

    public static List<DelegationSpec> Remove(IReadOnlyList<DelegationSpec> current, VerifyingKey key, TrustScope? only)
    {
        if (!current.Any(d => d.Keys.Contains(key) && (only is null || d.Scope == only)))
        {
            throw new CliFailure(only is null
                ? $"key {key.KeyId} is in no scope of the current targets; nothing to revoke (see 'fleet trust show')"
                : $"key {key.KeyId} is not trusted for scope {only}; nothing to revoke (see 'fleet trust show')");
        }

        var list = new List<DelegationSpec>();
        foreach (var d in current)
        {
            if (only is not null && d.Scope != only || !d.Keys.Contains(key))
            {
                list.Add(d);
                continue;
            }

            var keys = d.Keys.Where(k => !k.Equals(key)).ToList();
            if (keys.Count > 0)
            {
                list.Add(d with { Keys = keys, Threshold = Math.Min(d.Threshold, keys.Count) });
            }
        }

        return list;
    }

    public static List<DelegationSpec> Rotate(IReadOnlyList<DelegationSpec> current, VerifyingKey old, VerifyingKey replacement)
    {
        if (old.Equals(replacement))
        {
            throw new CliFailure($"the old and the new key are the same key ({old.KeyId}); pass a new key with --new");
        }

        if (!current.Any(d => d.Keys.Contains(old)))
        {
            throw new CliFailure($"key {old.KeyId} is in no scope of the current targets; nothing to rotate (add the new key with 'fleet trust add-key')");
        }

        return [.. current.Select(d => d.Keys.Contains(old)
            ? Replace(d, old, replacement)
            : d)];
    }

    private static DelegationSpec Replace(DelegationSpec d, VerifyingKey old, VerifyingKey replacement)
    {
        var keys = d.Keys.Select(k => k.Equals(old) ? replacement : k).Distinct().ToList();
        return d with { Keys = keys, Threshold = Math.Min(d.Threshold, keys.Count) };
    }

    public static IEnumerable<TrustScope> ScopesOf(IReadOnlyList<DelegationSpec> current, VerifyingKey key) =>
        current.Where(d => d.Keys.Contains(key)).Select(d => d.Scope);
}
