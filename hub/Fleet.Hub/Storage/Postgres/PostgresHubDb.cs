using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Storage.Postgres;

/// <summary>The hub's model on PostgreSQL. A type of its own only because EF Core keys migrations by context type:
/// PostgreSQL's migrations (Storage/Postgres/Migrations) must not mix with SQLite's (Storage/Migrations).</summary>
internal sealed class PostgresHubDb(DbContextOptions<PostgresHubDb> options) : HubDb(options);
