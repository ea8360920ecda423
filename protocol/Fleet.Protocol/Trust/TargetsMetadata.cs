using System.Text.Json.Nodes;

namespace Fleet.Protocol.Trust;

/// <summary>A parsed <c>targets.json</c>. Fleet uses its delegations: one role per scope, each listing the
/// firmware-signing keys allowed to ship to the devices that scope covers. A key removed from every delegation is
/// revoked.</summary>
public sealed record TargetsMetadata(
    long Version,
    DateTimeOffset Expires,
    IReadOnlyDictionary<string, TufKey> DelegationKeys,
    IReadOnlyList<DelegatedRole> Delegations,
    byte[] Raw)
{
    /// <summary>Every key that some scope trusts: the candidates a manifest signature is checked against.</summary>
    public IReadOnlyList<Signing.VerifyingKey> SigningKeys() =>
        [.. Delegations.SelectMany(d => d.Keys.KeyIds).Distinct(StringComparer.Ordinal).Select(id => DelegationKeys[id].Key)];

    internal static TargetsMetadata Parse(SignedEnvelope envelope, ReadOnlySpan<byte> raw)
    {
        const string what = "targets.json";
        var s = envelope.Signed;
        var version = StrictJson.Integer(s, "version", what, 1, int.MaxValue);
        var expires = StrictJson.Timestamp(s, "expires", what);
        StrictJson.String(s, "spec_version", what, 16);
        StrictJson.Object(s, "targets", what);
        var keys = new Dictionary<string, TufKey>(StringComparer.Ordinal);
        var roles = new List<DelegatedRole>();
        if (s["delegations"] is not null)
        {
            var delegations = StrictJson.Object(s, "delegations", what);
            keys = RootMetadata.ParseKeys(StrictJson.Object(delegations, "keys", what), what);
            var list = StrictJson.Array(delegations, "roles", what);
            if (list.Count > 256)
            {
                throw new TrustFormatException($"{what} delegates to {list.Count} roles; at most 256");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in list)
            {
                var node = item as JsonObject ?? throw new TrustFormatException($"{what}: each delegated role must be an object");
                var name = StrictJson.String(node, "name", what, 64);
                if (!TrustNames.IsRoleName(name) || !names.Add(name))
                {
                    throw new TrustFormatException($"{what}: delegated role name '{name}' is invalid or repeated");
                }

                if (node["path_hash_prefixes"] is not null)
                {
                    throw new TrustFormatException($"{what}: role '{name}' uses path_hash_prefixes; Fleet scopes are paths");
                }

                var paths = StrictJson.Strings(node, "paths", what, 256);
                if (paths.Any(p => p.Length == 0 || p.Length > 200))
                {
                    throw new TrustFormatException($"{what}: role '{name}' has an empty or overlong path pattern");
                }

                roles.Add(new DelegatedRole(name, RootMetadata.ParseRole(node, keys, $"{what} role '{name}'"), StrictJson.Boolean(node, "terminating", what), paths));
            }
        }

        return new TargetsMetadata(version, expires, keys, roles, raw.ToArray());
    }
}
