using Fleet.Hub.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Fleet.Hub.Storage.Postgres;

/// <summary>Lets <c>dotnet ef migrations add X --context PostgresAccountsDb</c> build the model without a server.</summary>
internal sealed class DesignTimePostgresAccountsDb : IDesignTimeDbContextFactory<PostgresAccountsDb>
{
    public PostgresAccountsDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAccountsDb>()
            .UseNpgsql("Host=127.0.0.1;Database=fleet_design", s => s.MigrationsHistoryTable(AccountsDb.HistoryTable)).Options);
}
