using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Fleet.Hub.Storage.Postgres;

/// <summary>Lets <c>dotnet ef migrations add X --context PostgresHubDb --output-dir Storage/Postgres/Migrations</c>
/// build the model without a server (adding a migration never connects).</summary>
internal sealed class DesignTimePostgresHubDb : IDesignTimeDbContextFactory<PostgresHubDb>
{
    public PostgresHubDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresHubDb>().UseNpgsql("Host=127.0.0.1;Database=fleet_design").Options);
}
