using Fleet.Hub.Storage;
using Fleet.Protocol.Trust;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>What the hub holds of each product's TUF metadata, as people read it: versions, expiries, root keys and
/// threshold, and each scope with the keys it trusts (by registered name where the hub knows the key). For the
/// signing keys page; the devices verify the same documents themselves.</summary>
internal sealed class TrustOverview(IDbContextFactory<HubDb> dbs, TimeProvider clock)
{
    public async Task<IReadOnlyList<ProductTrust>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var products = await db.Products.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
        var names = await db.RegisteredKeys.AsNoTracking().Select(k => new { k.ProductId, k.KeyId, k.Name }).ToListAsync(ct);
        var result = new List<ProductTrust>();
        foreach (var product in products)
        {
            var state = await TrustQuery.StateAsync(db, product, ct);
            if (!state.IsActive)
            {
                continue;
            }

            var loaded = TrustedMetadata.Load(state.Roots[^1], state.Targets);
            if (!loaded.IsValid)
            {
                result.Add(new ProductTrust(product.Name, state.RootVersion ?? 0, null, state.TargetsVersion ?? 0, null, "", [], $"{loaded.Failure}: {loaded.Message}"));
                continue;
            }

            var trust = loaded.Value!;
            string Named(string fleetKeyId) =>
                names.FirstOrDefault(n => n.ProductId == product.Id && n.KeyId == fleetKeyId) is { } n ? $"{n.Name} ({fleetKeyId})" : fleetKeyId;
            var rootRole = trust.Root.Role(TufRoles.Root);
            var scopes = trust.Targets.Delegations.Select(d => new ScopeKeys(
                TrustScope.FromRole(d)?.ToString() ?? $"{d.Name} ({d.DescribePaths()})",
                [.. d.Keys.KeyIds.Select(id => Named(trust.Targets.DelegationKeys[id].FleetKeyId))],
                d.Keys.Threshold)).ToList();
            var now = clock.GetUtcNow();
            var problem = trust.Root.Expires <= now ? $"root v{trust.Root.Version} has expired" : trust.Targets.Expires <= now ? $"targets v{trust.Targets.Version} has expired" : null;
            result.Add(new ProductTrust(product.Name, trust.Root.Version, trust.Root.Expires, trust.Targets.Version, trust.Targets.Expires,
                $"{rootRole.Threshold} of {rootRole.KeyIds.Count}", scopes, problem));
        }

        return result;
    }
}

/// <summary>One product's trust metadata for display; <see cref="Problem"/> says why nothing is trusted, if so.</summary>
internal sealed record ProductTrust(string Product, long RootVersion, DateTimeOffset? RootExpires, long TargetsVersion, DateTimeOffset? TargetsExpires,
    string RootThreshold, IReadOnlyList<ScopeKeys> Scopes, string? Problem);

/// <summary>A scope (<c>group:test</c>, <c>tag:lab</c>, <c>any</c>…) and the keys it trusts.</summary>
internal sealed record ScopeKeys(string Scope, IReadOnlyList<string> Keys, int Threshold);
