using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Hub.Accounts;
using Fleet.Hub.Storage;
using Fleet.Hub.Storage.Postgres;
using Fleet.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Fleet.Hub.Tests.Accounts;

/// <summary>An upgrade from the release with two account stores (API accounts on HubDb, UI users on the Identity
/// tables): the data dir is built with that release's migrations and rows shaped as it wrote them, then the current
/// hub starts on it. Existing tokens keep working, UI passwords survive, and the two first-start admins become one.</summary>
public abstract class AccountMigrationTests
{
    private const string OldHubMigration = "HubAnchor";
    private const string OldAccountsMigration = "SignInUsers";
    private const string AdminToken = "fleet_old-admin-token-0123456789abcdefghijklmnop";
    private const string CiToken = "fleet_old-ci-token-0123456789abcdefghijklmnopqrs";
    private const string RevokedToken = "fleet_old-revoked-token-0123456789abcdefghijklm";
    private const string AdminPassword = "old-admin-Password-1";
    private const string CiPassword = "old-ci-Password-22";

    public sealed class OnSqlite : AccountMigrationTests
    {
        protected override (string Connection, IEnumerable<string> HubArgs) Database(string dataDir) =>
            ($"Data Source={Path.Combine(dataDir, "fleet.db")};Pooling=False", []);

        private protected override (HubDb, AccountsDb) Open(string connection) =>
            (new HubDb(new DbContextOptionsBuilder<HubDb>().UseSqlite(connection).Options),
             new AccountsDb(new DbContextOptionsBuilder<AccountsDb>().UseSqlite(connection, s => s.MigrationsHistoryTable(AccountsDb.HistoryTable)).Options));
    }

    public sealed class OnPostgres : AccountMigrationTests
    {
        private readonly string _database = TestPostgres.NewDatabase("upgrade");

        protected override (string Connection, IEnumerable<string> HubArgs) Database(string dataDir) => (_database, ["--database", _database]);

        private protected override (HubDb, AccountsDb) Open(string connection) =>
            (new PostgresHubDb(new DbContextOptionsBuilder<PostgresHubDb>().UseNpgsql(connection).Options),
             new PostgresAccountsDb(new DbContextOptionsBuilder<PostgresAccountsDb>().UseNpgsql(connection, s => s.MigrationsHistoryTable(AccountsDb.HistoryTable)).Options));
    }

    protected abstract (string Connection, IEnumerable<string> HubArgs) Database(string dataDir);

    private protected abstract (HubDb, AccountsDb) Open(string connection);

    [Fact]
    public async Task An_old_data_dir_opens_with_its_users_tokens_and_passwords()
    {
        var dataDir = Directory.CreateTempSubdirectory("fleet-upgrade-").FullName;
        var (connection, hubArgs) = Database(dataDir);
        await BuildPreviousReleaseAsync(connection);
        // The previous release wrote its first admin token here, as the current one does.
        File.WriteAllText(Path.Combine(dataDir, "admin-token"), AdminToken + "\n");
        File.SetUnixFileMode(Path.Combine(dataDir, "admin-token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await using (var hub = await RunningHub.StartAsync(dataDir, hubArgs))
        {
            Assert.DoesNotContain("Web UI sign-in", hub.Process.StandardOutput, StringComparison.Ordinal);
            using var admin = hub.Admin();
            var whoami = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/whoami")).RootElement;
            Assert.Equal("admin", whoami.GetProperty("name").GetString());
            Assert.Contains("admin", whoami.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

            var users = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/users")).RootElement.EnumerateArray()
                .ToDictionary(u => u.GetProperty("name").GetString()!);
            Assert.Equal(["admin", "ci", "ci-api", "viewer"], users.Keys.Order());
            Assert.True(users["admin"].GetProperty("canSignIn").GetBoolean());
            Assert.Equal(["initial"], TokenNames(users["admin"]));
            // ci was a UI user (view) and, apart, an API account (manage): two people, so neither gains a role. The
            // web user keeps its name and password; the API account becomes ci-api with its role and tokens.
            Assert.Equal("view", users["ci"].GetProperty("role").GetString());
            Assert.True(users["ci"].GetProperty("canSignIn").GetBoolean());
            Assert.Empty(TokenNames(users["ci"]));
            Assert.Equal("manage", users["ci-api"].GetProperty("role").GetString());
            Assert.False(users["ci-api"].GetProperty("canSignIn").GetBoolean());
            Assert.Equal(["deploy"], TokenNames(users["ci-api"]));
            Assert.Equal("view", users["viewer"].GetProperty("role").GetString());
            Assert.Empty(TokenNames(users["viewer"]));
            Assert.All(users["ci-api"].GetProperty("tokens").EnumerateArray(), t => Assert.Equal(JsonValueKind.Null, t.GetProperty("expiresAt").ValueKind));
            var viewerCreated = users["viewer"].GetProperty("createdAt").GetDateTimeOffset();
            Assert.InRange(viewerCreated, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), users["admin"].GetProperty("createdAt").GetDateTimeOffset());

            using var ci = hub.Client(CiToken);
            Assert.Equal(200, (int)(await ci.GetAsync("/api/v1/devices")).StatusCode);
            Assert.Equal(201, (int)(await ci.PostAsJsonAsync("/api/v1/products", new { name = "upgraded-tank" })).StatusCode);
            using var revoked = hub.Client(RevokedToken);
            Assert.Equal(401, (int)(await revoked.GetAsync("/api/v1/devices")).StatusCode);
        }

        var (hubDb, accountsDb) = Open(connection);
        await using (hubDb)
        await using (accountsDb)
        {
            var hasher = new PasswordHasher<HubUser>();
            var admin = await accountsDb.Users.SingleAsync(u => u.NormalizedUserName == "ADMIN");
            Assert.NotEqual(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(admin, admin.PasswordHash!, AdminPassword));
            var ci = await accountsDb.Users.SingleAsync(u => u.NormalizedUserName == "CI");
            Assert.NotEqual(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(ci, ci.PasswordHash!, CiPassword));
            Assert.Empty(await accountsDb.UserClaims.Where(c => c.ClaimType == "fleet:role").ToListAsync());
            Assert.Empty(await accountsDb.Database.GetPendingMigrationsAsync());
            Assert.Empty(await hubDb.Database.GetPendingMigrationsAsync());
        }

        Directory.Delete(dataDir, recursive: true);
    }

    private static string[] TokenNames(JsonElement user) =>
        [.. user.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order()];

    /// <summary>The schema of the release before one account directory, with rows as that release wrote them.</summary>
    private async Task BuildPreviousReleaseAsync(string connection)
    {
        var (hubDb, accountsDb) = Open(connection);
        await using (hubDb)
        await using (accountsDb)
        {
            await hubDb.GetService<IMigrator>().MigrateAsync(OldHubMigration);
            await accountsDb.GetService<IMigrator>().MigrateAsync(OldAccountsMigration);
            long At(DateTimeOffset t) => ((t.Ticks / 1000) << 11) | ((long)t.Offset.TotalMinutes & 0x7FF);
            var created = At(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
            await hubDb.Database.ExecuteSqlAsync($"""INSERT INTO "Accounts" ("Id", "Name", "Role", "CreatedAt") VALUES (1, 'admin', 'admin', {created}), (2, 'ci', 'manage', {created})""");
            foreach (var (id, account, name, token, revoked) in new[] { (1, 1, "initial", AdminToken, (long?)null), (2, 2, "deploy", CiToken, null), (3, 2, "old", RevokedToken, created) })
            {
                await hubDb.Database.ExecuteSqlAsync($"""
                    INSERT INTO "ApiTokens" ("Id", "AccountId", "Name", "Hash", "CreatedAt", "RevokedAt") VALUES ({id}, {account}, {name}, {TokenHash.Of(token)}, {created}, {revoked})
                    """);
            }

            var old = new PasswordHasher<IdentityUser>();
            foreach (var (id, name, password, role) in new[] { ("u1", "admin", AdminPassword, "admin"), ("u2", "viewer", "old-viewer-Password-3", "view"), ("u3", "ci", CiPassword, "view") })
            {
                var hash = old.HashPassword(new IdentityUser(name), password);
                var (no, yes) = (false, true);
                await accountsDb.Database.ExecuteSqlAsync($"""
                    INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "EmailConfirmed", "PasswordHash", "SecurityStamp", "ConcurrencyStamp",
                                               "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
                    VALUES ({id}, {name}, {name.ToUpperInvariant()}, {no}, {hash}, {"STAMP" + id}, {"c" + id}, {no}, {no}, {yes}, 0)
                    """);
                await accountsDb.Database.ExecuteSqlAsync($"""INSERT INTO "AspNetUserClaims" ("UserId", "ClaimType", "ClaimValue") VALUES ({id}, 'fleet:role', {role})""");
            }
        }
    }
}
