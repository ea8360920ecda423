using System.Text.Json.Nodes;

namespace Fleet.Protocol.Trust;

/// <summary>Writes the <c>signed</c> part of TUF metadata as Fleet uses it (sign it with
/// <see cref="SignedEnvelope.Sign"/>): root with the four top-level roles, targets with one delegation per scope,
/// and the snapshot and timestamp that a TUF client needs to walk the repository.</summary>
public static class TrustDocuments
{
    public static JsonObject Root(string product, long version, DateTimeOffset expires, RoleSpec root, RoleSpec targets, RoleSpec snapshot, RoleSpec timestamp)
    {
        var keys = new JsonObject();
        var roles = new JsonObject();
        foreach (var (name, spec) in new[] { (TufRoles.Root, root), (TufRoles.Targets, targets), (TufRoles.Snapshot, snapshot), (TufRoles.Timestamp, timestamp) })
        {
            roles[name] = RoleJson(spec, keys);
        }

        return new JsonObject
        {
            ["_type"] = TufRoles.Root,
            ["spec_version"] = TufRoles.SpecVersion,
            ["version"] = version,
            ["expires"] = StrictJson.FormatTimestamp(expires),
            ["consistent_snapshot"] = false,
            ["keys"] = keys,
            ["roles"] = roles,
            [TufRoles.ProductField] = product,
        };
    }

    public static JsonObject Targets(long version, DateTimeOffset expires, IEnumerable<DelegationSpec> delegations)
    {
        var keys = new JsonObject();
        var roles = new JsonArray();
        foreach (var d in delegations.OrderBy(d => d.Scope.RoleName, StringComparer.Ordinal))
        {
            var role = RoleJson(new RoleSpec(d.Keys, d.Threshold), keys);
            role["name"] = d.Scope.RoleName;
            role["terminating"] = true;
            role["paths"] = new JsonArray([.. d.Scope.Paths.Select(p => (JsonNode)p)]);
            roles.Add(role);
        }

        return new JsonObject
        {
            ["_type"] = TufRoles.Targets,
            ["spec_version"] = TufRoles.SpecVersion,
            ["version"] = version,
            ["expires"] = StrictJson.FormatTimestamp(expires),
            ["targets"] = new JsonObject(),
            ["delegations"] = new JsonObject { ["keys"] = keys, ["roles"] = roles },
        };
    }

    /// <summary>Snapshot naming each targets file and its version (<c>targets.json</c> and one per delegated role).</summary>
    public static JsonObject Snapshot(long version, DateTimeOffset expires, IReadOnlyDictionary<string, long> meta)
    {
        var files = new JsonObject();
        foreach (var (file, v) in meta.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            files[file] = new JsonObject { ["version"] = v };
        }

        return new JsonObject
        {
            ["_type"] = TufRoles.Snapshot,
            ["spec_version"] = TufRoles.SpecVersion,
            ["version"] = version,
            ["expires"] = StrictJson.FormatTimestamp(expires),
            ["meta"] = files,
        };
    }

    public static JsonObject Timestamp(long version, DateTimeOffset expires, long snapshotVersion) => new()
    {
        ["_type"] = TufRoles.Timestamp,
        ["spec_version"] = TufRoles.SpecVersion,
        ["version"] = version,
        ["expires"] = StrictJson.FormatTimestamp(expires),
        ["meta"] = new JsonObject { ["snapshot.json"] = new JsonObject { ["version"] = snapshotVersion } },
    };

    /// <summary>The delegations of existing targets as specs, to edit (add, rotate, revoke a key) and sign anew.
    /// Roles Fleet did not write (unknown path shapes) are refused rather than silently dropped.</summary>
    public static IReadOnlyList<DelegationSpec> Delegations(TargetsMetadata targets)
    {
        var specs = new List<DelegationSpec>();
        foreach (var role in targets.Delegations)
        {
            var scope = TrustScope.FromRole(role) ?? throw new TrustFormatException($"delegated role '{role.Name}' ({role.DescribePaths()}) is not a Fleet scope; edit it with a TUF tool");
            specs.Add(new DelegationSpec(scope, [.. role.Keys.KeyIds.Select(id => targets.DelegationKeys[id].Key)], role.Keys.Threshold));
        }

        return specs;
    }

    private static JsonObject RoleJson(RoleSpec spec, JsonObject keys)
    {
        var ids = new JsonArray();
        foreach (var key in spec.Keys)
        {
            var tuf = TufKey.From(key);
            keys[tuf.KeyId] = tuf.ToJson();
            if (!ids.Any(i => i!.GetValue<string>() == tuf.KeyId))
            {
                ids.Add(tuf.KeyId);
            }
        }

        return new JsonObject { ["keyids"] = ids, ["threshold"] = spec.Threshold };
    }
}
