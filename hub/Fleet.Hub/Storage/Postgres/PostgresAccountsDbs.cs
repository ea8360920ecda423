using Fleet.Hub.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Storage.Postgres;

/// <summary>Hands the Accounts facade (which asks for <see cref="AccountsDb"/>) PostgreSQL contexts.</summary>
internal sealed class PostgresAccountsDbs(IDbContextFactory<PostgresAccountsDb> inner) : IDbContextFactory<AccountsDb>
{
    public AccountsDb CreateDbContext() => inner.CreateDbContext();

    public async Task<AccountsDb> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
