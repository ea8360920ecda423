using Fleet.Hub.Accounts.SignIn;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Storage.Postgres;

/// <summary>The sign-in tables on PostgreSQL; a type of its own so its migrations (Storage/Postgres/SignInMigrations)
/// stay apart from SQLite's.</summary>
internal sealed class PostgresUiIdentityDb(DbContextOptions<PostgresUiIdentityDb> options) : UiIdentityDb(options);
