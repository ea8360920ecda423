using Fleet.Hub.Hosting;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Fleet.Protocol.Trust;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>Reads of the trust metadata store (Firmware context), apart from <see cref="TrustStore"/>'s writes so the
/// parties that react to a change (delivery to devices) can read without depending on the writer.</summary>
internal sealed class TrustQuery(IDbContextFactory<HubDb> dbs)
{
    public async Task<Outcome<TrustState>> GetAsync(string productName, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var product = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Name == productName, ct);
        return product is null ? ProductCatalog.Unknown(productName) : await StateAsync(db, product, ct);
    }

    /// <summary>The product's metadata as trusted objects, or null while it has no TUF metadata (or what is stored
    /// no longer loads, which callers treat as "nothing is trusted" rather than falling back).</summary>
    public async Task<TrustResult<TrustedMetadata>?> LoadAsync(string productName, CancellationToken ct)
    {
        var state = await GetAsync(productName, ct);
        if (!state.Ok || !state.Value.IsActive)
        {
            return null;
        }

        return TrustedMetadata.Load(state.Value.Roots[^1], state.Value.Targets);
    }

    /// <summary>A file of the anonymous TUF repository: <c>root.json</c> (latest), <c>N.root.json</c>,
    /// <c>targets.json</c>, <c>snapshot.json</c> or <c>timestamp.json</c>.</summary>
    public async Task<Outcome<byte[]>> FileAsync(string productName, string file, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var product = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Name == productName, ct);
        var missing = new Failure(FailureKind.NotFound, "unknown_trust_file", $"no {file} for product '{productName}'");
        if (product is null)
        {
            return missing;
        }

        byte[]? found = file switch
        {
            "root.json" => await db.TrustRoots.AsNoTracking().Where(r => r.ProductId == product.Id).OrderByDescending(r => r.Version).Select(r => r.Json).FirstOrDefaultAsync(ct),
            "targets.json" or "snapshot.json" or "timestamp.json" => await db.TrustRoles.AsNoTracking()
                .Where(r => r.ProductId == product.Id && r.Role == file.Substring(0, file.Length - 5)).Select(r => r.Json).FirstOrDefaultAsync(ct),
            _ when file.EndsWith(".root.json", StringComparison.Ordinal) && long.TryParse(file[..^10], System.Globalization.NumberStyles.None, null, out var v) =>
                await db.TrustRoots.AsNoTracking().Where(r => r.ProductId == product.Id && r.Version == v).Select(r => r.Json).FirstOrDefaultAsync(ct),
            _ => null,
        };
        return found is null ? missing : found;
    }

    internal static async Task<TrustState> StateAsync(HubDb db, Product product, CancellationToken ct)
    {
        var roots = await db.TrustRoots.AsNoTracking().Where(r => r.ProductId == product.Id).OrderBy(r => r.Version).Select(r => new { r.Version, r.Json }).ToListAsync(ct);
        var targets = await db.TrustRoles.AsNoTracking().FirstOrDefaultAsync(r => r.ProductId == product.Id && r.Role == TufRoles.Targets, ct);
        return new TrustState(product.Name, [.. roots.Select(r => r.Json)], targets?.Json, roots.Count == 0 ? null : roots[^1].Version, targets?.Version);
    }

}
