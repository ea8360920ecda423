using Fleet.Hub.Accounts.SignIn;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Fleet.Hub.Storage.Postgres;

/// <summary>Lets <c>dotnet ef migrations add X --context PostgresUiIdentityDb</c> build the model without a server.</summary>
internal sealed class DesignTimePostgresUiIdentityDb : IDesignTimeDbContextFactory<PostgresUiIdentityDb>
{
    public PostgresUiIdentityDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresUiIdentityDb>()
            .UseNpgsql("Host=127.0.0.1;Database=fleet_design", s => s.MigrationsHistoryTable(UiIdentityDb.HistoryTable)).Options);
}
