using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Fleet.Protocol.Signing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>The Signing keys facade: a product's public Ed25519 keys, optionally restricted to named groups.</summary>
internal sealed class SigningKeyRing(IDbContextFactory<HubDb> dbs, AuditLog audit, TimeProvider clock)
{
    public async Task<Outcome<SigningKey>> RegisterAsync(Actor actor, string productName, string name, string publicKeyPem, IReadOnlyList<string> groups, CancellationToken ct)
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

        if (await db.SigningKeys.AnyAsync(k => k.ProductId == product.Id && (k.Name == name || k.KeyId == key.KeyId), ct))
        {
            return new Failure(FailureKind.Conflict, "key_exists", $"product '{productName}' has a key named '{name}' or with key id {key.KeyId} already");
        }

        var record = new SigningKey
        {
            ProductId = product.Id,
            Product = product,
            Name = name,
            KeyId = key.KeyId,
            PublicKeyPem = key.ToPem(),
            AllowedGroups = [.. groups.Distinct()],
            CreatedAt = clock.GetUtcNow(),
        };
        db.SigningKeys.Add(record);
        audit.Record(db, actor, "key.register", $"key:{productName}/{name}", $"keyId={key.KeyId} groups={(groups.Count == 0 ? "any" : string.Join(',', groups))}");
        await db.SaveChangesAsync(ct);
        return record;
    }

    public async Task<IReadOnlyList<SigningKey>> ListAsync(string? product, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.SigningKeys.AsNoTracking().Include(k => k.Product).AsQueryable();
        if (product is not null)
        {
            q = q.Where(k => k.Product!.Name == product);
        }

        return await q.OrderBy(k => k.Product!.Name).ThenBy(k => k.Name).ToListAsync(ct);
    }
}
