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

    public async Task RecordRefusalAsync(Actor actor, FirmwareRecord firmware, Failure refused, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        audit.Record(db, actor, "firmware.scope_refused", $"firmware:{firmware.Uuid}", $"{refused.Code}: {refused.Message}");
        await db.SaveChangesAsync(ct);
    }
}
