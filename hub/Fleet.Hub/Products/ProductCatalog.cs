using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Products;

/// <summary>The Products facade. Every other lookup is scoped to a product found here.</summary>
internal sealed class ProductCatalog(IDbContextFactory<HubDb> dbs, AuditLog audit, TimeProvider clock)
{
    public async Task<Outcome<Product>> CreateAsync(Actor actor, string name, string? description, CancellationToken ct)
    {
        if (!Names.IsValid(name))
        {
            return Names.Invalid("product name", name);
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Products.AnyAsync(p => p.Name == name, ct))
        {
            return new Failure(FailureKind.Conflict, "product_exists", $"product '{name}' exists already");
        }

        var product = new Product { Name = name, Description = description, CreatedAt = clock.GetUtcNow() };
        db.Products.Add(product);
        audit.Record(db, actor, "product.create", $"product:{name}", description);
        await db.SaveChangesAsync(ct);
        return product;
    }

    public async Task<IReadOnlyList<Product>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Products.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
    }

    public static Failure Unknown(string name) =>
        new(FailureKind.NotFound, "unknown_product", $"no product '{name}'; create it with 'fleet product create {name}'");
}
