using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Fleet.Protocol.Signing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>The registered keys facade: a product's public Ed25519 keys, optionally restricted to named groups, and
/// their revocation (the hub then stops storing and offering firmware signed only by them).</summary>
internal sealed class RegisteredKeyRing(IDbContextFactory<HubDb> dbs, AuditLog audit, TimeProvider clock)
{
    public async Task<Outcome<RegisteredKey>> RegisterAsync(Actor actor, string productName, string name, string publicKeyPem, IReadOnlyList<string> groups, CancellationToken ct)
    {
        if (!Names.IsValid(name))
        {
            return Names.Invalid("key name", name);
        }

        if (groups.FirstOrDefault(g => !Names.IsValid(g)) is { } badGroup)
        {
            return Names.Invalid("group name", badGroup);
        }

        VerifyingKey key;
        try
        {
            key = VerifyingKey.FromPem(publicKeyPem, $"key '{name}'");
        }
        catch (KeyFormatException ex)
        {
            return new Failure(FailureKind.Invalid, "invalid_public_key", $"{ex.Message}; register the .pub file that 'fleet keys create' wrote (an Ed25519 SPKI PEM), never the private key");
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var product = await db.Products.FirstOrDefaultAsync(p => p.Name == productName, ct);
        if (product is null)
        {
            return ProductCatalog.Unknown(productName);
        }

        if (await db.RegisteredKeys.AnyAsync(k => k.ProductId == product.Id && (k.Name == name || k.KeyId == key.KeyId), ct))
        {
            return new Failure(FailureKind.Conflict, "key_exists", $"product '{productName}' has a key named '{name}' or with key id {key.KeyId} already");
        }

        var record = new RegisteredKey
        {
            ProductId = product.Id,
            Product = product,
            Name = name,
            KeyId = key.KeyId,
            PublicKeyPem = key.ToPem(),
            AllowedGroups = [.. groups.Distinct()],
            CreatedAt = clock.GetUtcNow(),
        };
        db.RegisteredKeys.Add(record);
        audit.Record(db, actor, "key.register", $"key:{productName}/{name}", $"keyId={key.KeyId} groups={(groups.Count == 0 ? "any" : string.Join(',', groups))}");
        await db.SaveChangesAsync(ct);
        return record;
    }

    /// <summary>Marks the key revoked (kept, so the audit and old releases still name it). Firmware signed only by
    /// it is no longer accepted on upload, offered, or downloaded for a device; devices learn of it through a new
    /// targets.json without the key (<c>fleet trust revoke-key</c>), which the hub delivers.</summary>
    public async Task<Outcome<RegisteredKey>> RevokeAsync(Actor actor, string name, string? productName, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var matches = await db.RegisteredKeys.Include(k => k.Product).Where(k => k.Name == name && (productName == null || k.Product!.Name == productName)).ToListAsync(ct);
        if (matches.Count == 0)
        {
            return new Failure(FailureKind.NotFound, "unknown_key", $"no registered key '{name}'{(productName is null ? "" : $" for product '{productName}'")}; list them with 'fleet keys list'");
        }

        if (matches.Count > 1)
        {
            return new Failure(FailureKind.Conflict, "ambiguous_key", $"key name '{name}' is registered for products {string.Join(", ", matches.Select(k => k.Product!.Name))}; name one with ?product=");
        }

        var key = matches[0];
        if (key.RevokedAt is null)
        {
            key.RevokedAt = clock.GetUtcNow();
            audit.Record(db, actor, "key.revoke", $"key:{key.Product!.Name}/{name}", $"keyId={key.KeyId} groups={(key.AllowedGroups.Count == 0 ? "any" : string.Join(',', key.AllowedGroups))}");
            await db.SaveChangesAsync(ct);
        }

        return key;
    }

    public async Task<IReadOnlyList<RegisteredKey>> ListAsync(string? product, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.RegisteredKeys.AsNoTracking().Include(k => k.Product).AsQueryable();
        if (product is not null)
        {
            q = q.Where(k => k.Product!.Name == product);
        }

        return await q.OrderBy(k => k.Product!.Name).ThenBy(k => k.Name).ToListAsync(ct);
    }
}
