using System.Data.Common;
using Fleet.Hub.Accounts;
using Fleet.Hub.Accounts.SignIn.Migrations;
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

    /// <summary>The Accounts context's tables (users, passwords, API tokens), in the same database through the same
    /// provider: a factory for the Accounts facade, and a scoped context for Identity's user store.</summary>
    public static void AddAccountsDb(this IServiceCollection services, string connectionString)
    {
        if (ProviderOf(connectionString) == DatabaseProvider.Postgres)
        {
            services.AddDbContextFactory<PostgresAccountsDb>(db => db.UseNpgsql(connectionString, s => s.MigrationsHistoryTable(AccountsDb.HistoryTable)));
            services.AddSingleton<IDbContextFactory<AccountsDb>>(sp => new PostgresAccountsDbs(sp.GetRequiredService<IDbContextFactory<PostgresAccountsDb>>()));
        }
        else
        {
            services.AddDbContextFactory<AccountsDb>(db => db.UseSqlite(connectionString, s => s.MigrationsHistoryTable(AccountsDb.HistoryTable)));
        }

        services.AddScoped<AccountsDb>(sp => sp.GetRequiredService<IDbContextFactory<AccountsDb>>().CreateDbContext());
    }

    /// <summary>HubDb first: its first migration made the old API account tables, which AccountsDb's
    /// <c>OneAccountDirectory</c> migration moves into the one account directory and drops. Both are migrations,
    /// never a reset: an old data dir opens intact.</summary>
    public static async Task MigrateAsync(AccountsDb accounts, HubDb hub, CancellationToken ct)
    {
        await hub.Database.MigrateAsync(ct);
        try
        {
            await accounts.Database.MigrateAsync(ct);
        }
        catch (DbException ex) when (ex.Message.IndexOf(AccountMoves.Refusal, StringComparison.Ordinal) is var at and >= 0)
        {
            // The migration rolled back: the data dir is as the previous release left it.
            throw new HubStartFailure(ex.Message[at..].TrimEnd('.', '\'', ' '));
        }
    }
}
