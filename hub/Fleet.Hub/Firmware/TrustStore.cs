using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Fleet.Protocol.Trust;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>The trust metadata facade (Firmware context): each product's TUF root chain, current targets, and the
/// snapshot and timestamp the hub signs with its online key. Roots and targets are made offline by the product's
/// owners (<c>fleet trust</c>); the hub only verifies them with <see cref="TrustVerifier"/>, refusing with the
/// <see cref="TrustFailure"/> name, and never signs them.</summary>
internal sealed class TrustStore(
    IDbContextFactory<HubDb> dbs,
    OnlineKey onlineKey,
    TrustSigner signer,
    AuditLog audit,
    TimeProvider clock,
    IEnumerable<ITrustListener> listeners,
    ILogger<TrustStore> log)
{
    /// <summary>Hub-side refusal (not a device one): the root does not give the snapshot and timestamp roles to
    /// exactly the hub's online key, so the hub could not keep the repository fresh.</summary>
    public const string OnlineKeyMismatch = "OnlineKeyMismatch";

    private readonly ITrustListener[] _listeners = [.. listeners];

    public string OnlineKeyPem => onlineKey.PublicKey.ToPem();

    public async Task<Outcome<TrustState>> PutRootAsync(Actor actor, string productName, byte[] json, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var product = await db.Products.FirstOrDefaultAsync(p => p.Name == productName, ct);
        if (product is null)
        {
            return ProductCatalog.Unknown(productName);
        }

        var latest = await db.TrustRoots.AsNoTracking().Where(r => r.ProductId == product.Id).OrderByDescending(r => r.Version).FirstOrDefaultAsync(ct);
        RootMetadata? trusted = null;
        if (latest is not null)
        {
            var current = TrustVerifier.VerifyInitialRoot(latest.Json);
            if (!current.IsValid)
            {
                return Refused(current.Failure, $"the stored root v{latest.Version} no longer verifies: {current.Message}");
            }

            trusted = current.Value;
        }

        var verified = trusted is null ? TrustVerifier.VerifyInitialRoot(json) : TrustVerifier.VerifyRoot(json, trusted);
        if (!verified.IsValid)
        {
            return Refused(verified.Failure, verified.Message);
        }

        var root = verified.Value!;
        if (!string.Equals(root.Product, productName, StringComparison.Ordinal))
        {
            return Refused(TrustFailure.WrongProduct, $"root.json v{root.Version} is for product '{root.Product}', not '{productName}'");
        }

        if (root.Expires <= clock.GetUtcNow())
        {
            return Refused(TrustFailure.Expired, $"root.json v{root.Version} expired at {root.Expires:O}");
        }

        var online = TufKey.From(onlineKey.PublicKey).KeyId;
        foreach (var role in new[] { TufRoles.Snapshot, TufRoles.Timestamp })
        {
            var keys = root.Role(role);
            if (keys.KeyIds.Count != 1 || keys.KeyIds[0] != online || keys.Threshold != 1)
            {
                return new Failure(FailureKind.Invalid, OnlineKeyMismatch,
                    $"root.json v{root.Version} gives role '{role}' to key(s) {string.Join(", ", keys.KeyIds)} (threshold {keys.Threshold}); it must be exactly the hub's online key {online} (threshold 1), from GET /api/v1/products/{productName}/trust");
            }
        }

        var now = clock.GetUtcNow();
        db.TrustRoots.Add(new TrustRootRecord { ProductId = product.Id, Version = root.Version, Json = json, Expires = root.Expires, CreatedAt = now });
        var before = trusted?.Role(TufRoles.Root).KeyIds ?? [];
        var after = root.Role(TufRoles.Root).KeyIds;
        audit.Record(db, actor, "trust.root", $"product:{productName}",
            $"root v{trusted?.Version.ToString() ?? "-"} -> v{root.Version} rootKeysAdded={Join(after.Except(before))} rootKeysRemoved={Join(before.Except(after))} targetsKeys={Join(root.Role(TufRoles.Targets).KeyIds)} threshold={root.Role(TufRoles.Root).Threshold}");
        var targets = await db.TrustRoles.FirstOrDefaultAsync(r => r.ProductId == product.Id && r.Role == TufRoles.Targets, ct);
        if (targets is not null)
        {
            await signer.ResignAsync(db, product.Id, targets.Version, now, ct);
        }

        if (!await SaveAsync(db, ct))
        {
            return new Failure(FailureKind.Conflict, nameof(TrustFailure.VersionConflict), $"another root v{root.Version} for '{productName}' was stored meanwhile");
        }

        await AnnounceAsync(productName, ct);
        return await TrustQuery.StateAsync(db, product, ct);
    }

    public async Task<Outcome<TrustState>> PutTargetsAsync(Actor actor, string productName, byte[] json, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var product = await db.Products.FirstOrDefaultAsync(p => p.Name == productName, ct);
        if (product is null)
        {
            return ProductCatalog.Unknown(productName);
        }

        var latest = await db.TrustRoots.AsNoTracking().Where(r => r.ProductId == product.Id).OrderByDescending(r => r.Version).FirstOrDefaultAsync(ct);
        if (latest is null)
        {
            return new Failure(FailureKind.Conflict, "no_trust_root", $"product '{productName}' has no root.json yet; PUT /api/v1/products/{productName}/trust/root first ('fleet trust init')");
        }

        var root = TrustVerifier.VerifyInitialRoot(latest.Json);
        if (!root.IsValid)
        {
            return Refused(root.Failure, $"the stored root v{latest.Version} no longer verifies: {root.Message}");
        }

        var row = await db.TrustRoles.FirstOrDefaultAsync(r => r.ProductId == product.Id && r.Role == TufRoles.Targets, ct);
        TargetsMetadata? trusted = null;
        if (row is not null)
        {
            // Verified against the current root. After a rotation of the targets keys the stored document no longer
            // verifies: as on the devices (TUF 5.3.11, fast-forward recovery), it is no longer trusted and its
            // version no longer holds the line, so a targets key that was used to sign a huge version can be replaced.
            trusted = TrustVerifier.VerifyTargets(row.Json, root.Value!, null, DateTimeOffset.MinValue).Value;
        }

        var verified = TrustVerifier.VerifyTargets(json, root.Value!, trusted, clock.GetUtcNow());
        if (!verified.IsValid)
        {
            return Refused(verified.Failure, verified.Message);
        }

        var targets = verified.Value!;
        if (row is not null && trusted is not null && targets.Version <= row.Version)
        {
            return Refused(TrustFailure.VersionRollback, $"targets.json v{targets.Version} is not newer than the stored v{row.Version}; sign a new version");
        }

        var now = clock.GetUtcNow();
        if (row is null)
        {
            row = new TrustRoleRecord { ProductId = product.Id, Role = TufRoles.Targets, Json = json };
            db.TrustRoles.Add(row);
        }

        row.Version = targets.Version;
        row.Json = json;
        row.Expires = targets.Expires;
        row.UpdatedAt = now;
        var before = trusted is null ? [] : Scopes(trusted);
        var after = Scopes(targets);
        audit.Record(db, actor, "trust.targets", $"product:{productName}",
            $"targets v{trusted?.Version.ToString() ?? "-"} -> v{targets.Version} keysAdded={Join(after.Except(before))} keysRemoved={Join(before.Except(after))} expires={targets.Expires:O}");
        await signer.ResignAsync(db, product.Id, targets.Version, now, ct);
        if (!await SaveAsync(db, ct))
        {
            return new Failure(FailureKind.Conflict, nameof(TrustFailure.VersionConflict), $"another targets.json for '{productName}' was stored meanwhile");
        }

        await AnnounceAsync(productName, ct);
        return await TrustQuery.StateAsync(db, product, ct);
    }

    private async Task<bool> SaveAsync(HubDb db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex)
        {
            log.LogWarning(ex, "Trust metadata not stored: a concurrent change won");
            return false;
        }
    }

    private async Task AnnounceAsync(string product, CancellationToken ct)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnTrustChangedAsync(product, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "A trust change listener failed for {Product}", product);
            }
        }
    }

    /// <summary>"keyid@scope" for each firmware-signing key and scope, so the audit shows what was added or removed.</summary>
    private static List<string> Scopes(TargetsMetadata targets) =>
        [.. targets.Delegations.SelectMany(d => d.Keys.KeyIds.Select(id => $"{targets.DelegationKeys[id].FleetKeyId}@{d.Name}"))];

    private static string Join(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? "none" : string.Join(',', list);
    }

    private static Failure Refused(TrustFailure failure, string message) => new(
        failure is TrustFailure.VersionRollback or TrustFailure.VersionConflict ? FailureKind.Conflict : FailureKind.Invalid,
        failure.ToString(),
        message);
}
