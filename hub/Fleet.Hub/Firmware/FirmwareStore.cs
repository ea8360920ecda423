using System.Text;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>The Firmware facade. An upload is verified in full (signature by one of the product's registered keys,
/// product match, payload size and every chunk hash) before anything is stored; a refusal stores nothing and
/// leaves existing firmware untouched.</summary>
internal sealed class FirmwareStore(IDbContextFactory<HubDb> dbs, BlobStore blobs, AuditLog audit, TrustQuery trust, TimeProvider clock, ILogger<FirmwareStore> log)
{
    public async Task<Outcome<FirmwareRecord>> PublishAsync(Actor actor, string productName, string bundlePath, CancellationToken ct)
    {
        var outcome = await PublishCoreAsync(actor, productName, bundlePath, ct);
        HubMetrics.Uploads.WithLabels(outcome.Ok ? "stored" : outcome.Failure.Code).Inc();
        return outcome;
    }

    private async Task<Outcome<FirmwareRecord>> PublishCoreAsync(Actor actor, string productName, string bundlePath, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var product = await db.Products.FirstOrDefaultAsync(p => p.Name == productName, ct);
        if (product is null)
        {
            return ProductCatalog.Unknown(productName);
        }

        // Registered keys that are not revoked, and the firmware-signing keys of the product's TUF targets.
        var keys = await db.RegisteredKeys.AsNoTracking().Where(k => k.ProductId == product.Id && k.RevokedAt == null).ToListAsync(ct);
        var trusted = keys.Select(k => VerifyingKey.FromPem(k.PublicKeyPem, k.Name)).ToList();
        if (await trust.LoadAsync(productName, ct) is { IsValid: true } metadata)
        {
            trusted.AddRange(metadata.Value!.Targets.SigningKeys().Where(k => trusted.All(t => t.KeyId != k.KeyId)));
        }

        if (trusted.Count == 0)
        {
            return new Failure(FailureKind.Invalid, "no_public_keys", $"product '{productName}' has no registered signing keys, so no upload can verify; register one with 'fleet keys register NAME --product {productName}'");
        }

        var policy = new VerificationPolicy(trusted) { Product = productName };
        VerifiedBundle? opened = null;
        var verdict = await Task.Run(() => BundleVerifier.OpenVerified(bundlePath, policy, out opened, cancellationToken: ct), ct);
        using var bundle = opened;
        if (!verdict.IsValid || bundle is null)
        {
            return new Failure(FailureKind.Invalid, Code(verdict.Failure), $"bundle refused ({verdict.Failure}): {verdict.Message}");
        }

        var manifest = bundle.Manifest;
        var version = manifest.Version.ToString();
        if (await db.Firmware.AnyAsync(f => f.ProductId == product.Id && f.Version == version, ct))
        {
            return new Failure(FailureKind.Conflict, "duplicate_version", $"product '{productName}' has firmware {version} already; bump the version and sign again");
        }

        if (await db.Firmware.AnyAsync(f => f.Uuid == manifest.Id, ct))
        {
            return new Failure(FailureKind.Conflict, "duplicate_firmware", $"firmware {manifest.Id} is stored already");
        }

        var manifestBytes = bundle.ManifestBytes.ToArray();
        // Every registered key whose signature verified: group restrictions look at all of them.
        var signedBy = verdict.TrustedSigners.Distinct().ToList();

        var sha = manifest.Payload.Sha256.ToLowerInvariant();
        var blobWasNew = !blobs.Exists(sha);
        await using (var payload = bundle.OpenPayload())
        {
            if (!await blobs.PutAsync(payload, sha, ct))
            {
                return new Failure(FailureKind.Invalid, "payload_hash_mismatch", "the payload changed while it was stored; upload again");
            }
        }

        var record = new FirmwareRecord
        {
            ProductId = product.Id,
            Product = product,
            Uuid = manifest.Id,
            Version = version,
            Platform = manifest.Platform,
            Architecture = manifest.Architecture,
            Author = manifest.Author,
            Description = manifest.Description,
            PayloadSize = manifest.Payload.Size,
            PayloadSha256 = sha,
            ChunkCount = manifest.Payload.Chunks.Count,
            Manifest = manifestBytes,
            Signatures = Encoding.UTF8.GetString(bundle.SignatureBytes.Span),
            SignedBy = signedBy,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Firmware.Add(record);
        audit.Record(db, actor, "firmware.publish", $"firmware:{manifest.Id}", $"product={productName} version={version} platform={manifest.Platform}/{manifest.Architecture} signedBy={string.Join(',', signedBy)} sha256={sha}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex)
        {
            // A concurrent upload of the same version won the unique index: keep the store as it was.
            if (blobWasNew && !await db.Firmware.AnyAsync(f => f.PayloadSha256 == sha, CancellationToken.None))
            {
                blobs.Delete(sha);
            }

            log.LogWarning(ex, "Firmware {Uuid} not stored", manifest.Id);
            return new Failure(FailureKind.Conflict, "duplicate_version", $"product '{productName}' has firmware {version} already");
        }

        return record;
    }

    public async Task<IReadOnlyList<FirmwareRecord>> ListAsync(string? product, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Firmware.AsNoTracking().Include(f => f.Product).AsQueryable();
        if (product is not null)
        {
            q = q.Where(f => f.Product!.Name == product);
        }

        return await q.OrderBy(f => f.Product!.Name).ThenByDescending(f => f.Id).ToListAsync(ct);
    }

    public async Task<Outcome<FirmwareRecord>> FindAsync(string uuid, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var found = await db.Firmware.AsNoTracking().Include(f => f.Product).FirstOrDefaultAsync(f => f.Uuid == uuid, ct);
        return found is null ? Unknown(uuid) : found;
    }

    public async Task<Outcome<FirmwareRecord>> DeleteAsync(Actor actor, string uuid, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var firmware = await db.Firmware.Include(f => f.Product).FirstOrDefaultAsync(f => f.Uuid == uuid, ct);
        if (firmware is null)
        {
            return Unknown(uuid);
        }

        var usedBy = await db.DeploymentGroups.Where(g => g.FirmwareId == firmware.Id || g.Releases.Any(r => r.FirmwareId == firmware.Id))
            .Select(g => g.Name).ToListAsync(ct);
        if (usedBy.Count > 0)
        {
            return new Failure(FailureKind.Conflict, "firmware_in_use", $"firmware {uuid} is (or was) released to group(s) {string.Join(", ", usedBy)}; it stays for their release history");
        }

        db.Firmware.Remove(firmware);
        audit.Record(db, actor, "firmware.delete", $"firmware:{uuid}", $"product={firmware.Product?.Name} version={firmware.Version}");
        await db.SaveChangesAsync(ct);
        if (!await db.Firmware.AnyAsync(f => f.PayloadSha256 == firmware.PayloadSha256, ct))
        {
            blobs.Delete(firmware.PayloadSha256);
        }

        return firmware;
    }

    public static Failure Unknown(string uuid) =>
        new(FailureKind.NotFound, "unknown_firmware", $"no firmware {uuid}; list it with 'fleet firmware list'");

    /// <summary>InvalidSignature → invalid_signature: the stable code clients match on.</summary>
    public static string Code(VerificationFailure failure) =>
        string.Concat(failure.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
