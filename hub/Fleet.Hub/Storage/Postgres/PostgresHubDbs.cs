using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Storage.Postgres;

/// <summary>Hands the hub's contexts (which ask for <see cref="HubDb"/>) PostgreSQL contexts, so nothing outside
/// Storage knows which provider runs.</summary>
internal sealed class PostgresHubDbs(IDbContextFactory<PostgresHubDb> inner) : IDbContextFactory<HubDb>
{
    public HubDb CreateDbContext() => inner.CreateDbContext();

    public async Task<HubDb> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
