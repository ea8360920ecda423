using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>The Firmware context's one decision about releases: may firmware go where someone sends it. Every path
/// (a push, a group's release and each change of its targeting, group creation, the bundle download, each offer)
/// asks here; refusals are audited with the key, its scope and the device or group.</summary>
internal sealed class ReleaseGate(IDbContextFactory<HubDb> dbs, TrustQuery trust, AuditLog audit, TimeProvider clock)
{
    /// <summary>Refusal code for a group path (kept from the registered-key rule that preceded TUF scopes).</summary>
    public const string GroupCode = "key_not_allowed_for_group";

    public const string DeviceCode = "key_not_allowed_for_device";

    public async Task<SignerScopes> ScopesAsync(string product, CancellationToken ct)
    {
        List<RegisteredKey> keys;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            keys = await db.RegisteredKeys.AsNoTracking().Where(k => k.Product!.Name == product).ToListAsync(ct);
        }

        var metadata = await trust.LoadAsync(product, ct);
        return metadata is null ? SignerScopes.FromRegisteredKeys(product, keys, clock.GetUtcNow()) : SignerScopes.FromTargets(product, metadata, keys);
    }

    /// <summary>Null when every target is covered; otherwise the first refusal, recorded in the audit log.</summary>
    public async Task<Failure?> AuthorizeAsync(Actor actor, FirmwareRecord firmware, string product, IEnumerable<ReleaseTarget> targets, string code, CancellationToken ct)
    {
        var scopes = await ScopesAsync(product, ct);
        return await AuthorizeAsync(actor, scopes, firmware, targets, code, ct);
    }

    public async Task<Failure?> AuthorizeAsync(Actor actor, SignerScopes scopes, FirmwareRecord firmware, IEnumerable<ReleaseTarget> targets, string code, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var target in targets)
        {
            var refused = scopes.Check(firmware, target.Scope, target.Where, code, now);
            if (refused is not null)
            {
                await RecordRefusalAsync(actor, firmware, refused, ct);
                return refused;
            }
        }

        return null;
    }

    /// <summary>Who may set the reach of a group (create it, change its tags, tag match or version requirement) that
    /// a group-scoped key ships to: an admin only. A device takes its groups from the hub, so whoever moves such a
    /// group decides where that key's firmware goes; a manager holding a key scoped to group <c>test</c> must not be
    /// able to point <c>test</c> at the production tanks. Null when allowed; a refusal is audited.</summary>
    public async Task<Failure?> AuthorizeReachChangeAsync(Actor actor, string product, string group, CancellationToken ct)
    {
        if (actor.IsAdmin)
        {
            return null;
        }

        var keys = (await ScopesAsync(product, ct)).KeysScopedToGroup(group);
        if (keys is { Count: 0 })
        {
            return null;
        }

        var why = keys is null
            ? "the product's stored trust metadata does not load, so the hub cannot tell which keys are scoped to it"
            : $"key(s) {string.Join(", ", keys)} are scoped to group '{group}', so its targeting decides which devices they reach";
        var refused = new Failure(FailureKind.Forbidden, ReachCode, $"only an admin may create deployment group '{group}' or change its tags, tag match or version requirement: {why}; ask an admin");
        await using var db = await dbs.CreateDbContextAsync(ct);
        audit.Record(db, actor, "deployment.scope_refused", $"deployment:{group}", $"{refused.Code}: {refused.Message}");
        await db.SaveChangesAsync(ct);
        return refused;
    }

    public const string ReachCode = "group_reach_needs_admin";

    public async Task RecordRefusalAsync(Actor actor, FirmwareRecord firmware, Failure refused, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        audit.Record(db, actor, "firmware.scope_refused", $"firmware:{firmware.Uuid}", $"{refused.Code}: {refused.Message}");
        await db.SaveChangesAsync(ct);
    }
}
