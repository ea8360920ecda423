using System.Data.Common;
using Fleet.Hub.Accounts.SignIn;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage.Postgres;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Storage;

/// <summary>Picks the database provider from the connection string: <c>Host=…</c> is PostgreSQL (Npgsql), anything
/// else (<c>Data Source=…</c>, the default file in the data dir) is SQLite.</summary>
internal static class HubDatabase
{
    public static DatabaseProvider ProviderOf(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException ex)
        {
            throw new HubStartFailure($"--database: not a connection string ({ex.Message}); use \"Host=H;Port=5432;Database=fleet;Username=U\" for PostgreSQL or \"Data Source=FILE\" for SQLite");
        }

        return builder.ContainsKey("Host") || builder.ContainsKey("Server") ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
    }

    public static DatabaseProvider AddHubDatabase(this IServiceCollection services, string connectionString)
    {
        var provider = ProviderOf(connectionString);
        services.AddSingleton<Cluster.GroupLeases>();
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddDbContextFactory<PostgresHubDb>(db => db.UseNpgsql(connectionString));
            services.AddSingleton<IDbContextFactory<HubDb>>(sp => new PostgresHubDbs(sp.GetRequiredService<IDbContextFactory<PostgresHubDb>>()));
        }
        else
        {
            services.AddDbContextFactory<HubDb>(db => db.UseSqlite(connectionString));
        }

        return provider;
    }

    /// <summary>The web UI's sign-in tables, in the same database through the same provider.</summary>
    public static void AddUiIdentityDb(this IServiceCollection services, string connectionString)
    {
        if (ProviderOf(connectionString) == DatabaseProvider.Postgres)
        {
            services.AddDbContext<UiIdentityDb, PostgresUiIdentityDb>(db => db.UseNpgsql(connectionString, s => s.MigrationsHistoryTable(UiIdentityDb.HistoryTable)));
        }
        else
        {
            services.AddDbContext<UiIdentityDb>(db => db.UseSqlite(connectionString, s => s.MigrationsHistoryTable(UiIdentityDb.HistoryTable)));
        }
    }
}
