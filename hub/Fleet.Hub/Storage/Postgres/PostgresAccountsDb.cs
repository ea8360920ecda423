using Fleet.Hub.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Storage.Postgres;

/// <summary>The Accounts tables on PostgreSQL; a type of its own so its migrations (Storage/Postgres/SignInMigrations)
/// stay apart from SQLite's.</summary>
internal sealed class PostgresAccountsDb(DbContextOptions<PostgresAccountsDb> options) : AccountsDb(options);
