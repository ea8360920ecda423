using System.Text.Json.Nodes;

namespace Fleet.Protocol.Trust;

/// <summary>A parsed <c>root.json</c>: which keys may sign each top-level role, with thresholds. Only
/// <see cref="TrustVerifier"/> makes one from bytes, after checking its signatures.</summary>
public sealed record RootMetadata(
    string Product,
    long Version,
    DateTimeOffset Expires,
    IReadOnlyDictionary<string, TufKey> Keys,
    IReadOnlyDictionary<string, RoleKeys> Roles,
    byte[] Raw)
{
    public RoleKeys Role(string name) => Roles[name];

    internal static RootMetadata Parse(SignedEnvelope envelope, ReadOnlySpan<byte> raw)
    {
        const string what = "root.json";
        var s = envelope.Signed;
        var product = StrictJson.String(s, TufRoles.ProductField, what, 64);
        var version = StrictJson.Integer(s, "version", what, 1, int.MaxValue);
        var expires = StrictJson.Timestamp(s, "expires", what);
        StrictJson.String(s, "spec_version", what, 16);
        StrictJson.Boolean(s, "consistent_snapshot", what);
        var keys = ParseKeys(StrictJson.Object(s, "keys", what), what);
        var rolesNode = StrictJson.Object(s, "roles", what);
        var roles = new Dictionary<string, RoleKeys>(StringComparer.Ordinal);
        foreach (var name in TufRoles.TopLevel)
        {
            roles[name] = ParseRole(StrictJson.Object(rolesNode, name, what), keys, $"{what} role '{name}'");
        }

        return new RootMetadata(product, version, expires, keys, roles, raw.ToArray());
    }

    internal static Dictionary<string, TufKey> ParseKeys(JsonObject node, string what)
    {
        if (node.Count > 256)
        {
            throw new TrustFormatException($"{what} lists {node.Count} keys; at most 256");
        }

        var keys = new Dictionary<string, TufKey>(StringComparer.Ordinal);
        foreach (var (keyId, value) in node)
        {
            keys[keyId] = TufKey.Parse(keyId, value as JsonObject ?? throw new TrustFormatException($"{what}: key {keyId} must be an object"), what);
        }

        RefuseSharedShortIds(keys.Select(k => (k.Key, k.Value.FleetKeyId)), what);
        return keys;
    }

    /// <summary>Manifests name their signers by the short Fleet key id (64 bits), and scopes are matched on it: two
    /// listed keys that shared one would let a signature by either count for both, so such metadata is refused.</summary>
    internal static void RefuseSharedShortIds(IEnumerable<(string TufKeyId, string FleetKeyId)> keys, string what)
    {
        var byShortId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tufKeyId, fleetKeyId) in keys)
        {
            if (!byShortId.TryAdd(fleetKeyId, tufKeyId))
            {
                throw new TrustFormatException($"{what}: keys {byShortId[fleetKeyId]} and {tufKeyId} share the Fleet key id {fleetKeyId}; generate another key");
            }
        }
    }

    internal static RoleKeys ParseRole(JsonObject node, IReadOnlyDictionary<string, TufKey> keys, string what)
    {
        var ids = StrictJson.Strings(node, "keyids", what, 256);
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
        {
            throw new TrustFormatException($"{what} lists a key id twice");
        }

        foreach (var id in ids)
        {
            if (!keys.ContainsKey(id))
            {
                throw new TrustFormatException($"{what} names key {id}, which the metadata does not list");
            }
        }

        var threshold = (int)StrictJson.Integer(node, "threshold", what, 1, 256);
        if (threshold > ids.Count)
        {
            throw new TrustFormatException($"{what} needs {threshold} signatures but names only {ids.Count} keys");
        }

        return new RoleKeys(ids, threshold);
    }
}
