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
        await BuildPreviousReleaseAsync(connection, TwoStores, TwoStoresTokens, TwoStoresUsers);
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

    [Fact]
    public async Task Api_accounts_move_to_names_nobody_holds_so_no_token_gains_a_role()
    {
        var dataDir = Directory.CreateTempSubdirectory("fleet-upgrade-").FullName;
        var (connection, hubArgs) = Database(dataDir);
        const string CarolToken = "fleet_old-carol-token-0123456789abcdefghijklmnop";
        const string XToken = "fleet_old-x-token-0123456789abcdefghijklmnopqrstu";
        const string HubToken = "fleet_old-hub-token-0123456789abcdefghijklmnopqrs";
        const string UpperToken = "fleet_old-upper-token-0123456789abcdefghijklmnop";
        // carol (manage) meets a UI user carol (view) and a UI user carol-api (admin): NAME-api is taken, and taking it
        // would make carol's token an admin's. x (manage) meets a UI user x (view) while an API account x-api exists.
        // X and x differ only in case. hub is the audit log's name for the hub itself, as API account and UI user.
        await BuildPreviousReleaseAsync(connection,
            [new(1, "admin", "admin"), new(7, "carol", "manage"), new(8, "x", "manage"), new(9, "x-api", "view"), new(10, "hub", "manage"), new(11, "X", "view")],
            [new(1, 1, "initial", AdminToken, false), new(2, 7, "deploy", CarolToken, false), new(3, 8, "x", XToken, false), new(4, 10, "hub", HubToken, false), new(5, 11, "up", UpperToken, false)],
            [new("u1", "admin", AdminPassword, "admin"), new("u2", "carol", "old-carol-Password-1", "view"), new("u3", "carol-api", "old-carola-Password-1", "admin"),
             new("u4", "x", "old-x-Password-1", "view"), new("u5", "hub", "old-hub-Password-1", "view")]);
        File.WriteAllText(Path.Combine(dataDir, "admin-token"), AdminToken + "\n");
        File.SetUnixFileMode(Path.Combine(dataDir, "admin-token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await using (var hub = await RunningHub.StartAsync(dataDir, hubArgs))
        {
            using var admin = hub.Admin();
            var users = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/users")).RootElement.EnumerateArray()
                .ToDictionary(u => u.GetProperty("name").GetString()!, StringComparer.Ordinal);
            string Role(string name) => users[name].GetProperty("role").GetString()!;
            void Holds(string name, string role, string[] tokens)
            {
                Assert.Equal(role, Role(name));
                Assert.Equal(tokens, TokenNames(users[name]));
            }

            Assert.Equal(new[] { "admin", "carol", "carol-api", "carol-api-7", "hub-api", "hub-user", "x", "x-api", "x-api-8", "X-api-11" }.Order(StringComparer.Ordinal), users.Keys.Order(StringComparer.Ordinal));
            Assert.Equal("admin", Role("carol-api"));
            Assert.Empty(TokenNames(users["carol-api"]));
            Holds("carol-api-7", "manage", ["deploy"]);
            Holds("x-api", "view", []);
            Holds("x-api-8", "manage", ["x"]);
            Holds("X-api-11", "view", ["up"]);
            Holds("hub-api", "manage", ["hub"]);
            Assert.Equal("view", Role("hub-user"));
            Assert.True(users["hub-user"].GetProperty("canSignIn").GetBoolean());

            foreach (var (token, name, role) in new[] { (CarolToken, "carol-api-7", "manage"), (XToken, "x-api-8", "manage"), (HubToken, "hub-api", "manage"), (UpperToken, "X-api-11", "view") })
            {
                using var client = hub.Client(token);
                var whoami = JsonDocument.Parse(await client.GetStringAsync("/api/v1/whoami")).RootElement;
                Assert.Equal(name, whoami.GetProperty("name").GetString());
                Assert.DoesNotContain("admin", whoami.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
                Assert.Contains(role, whoami.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            }

            using var carol = hub.Client(CarolToken);
            Assert.Equal(403, (int)(await carol.GetAsync("/api/v1/users")).StatusCode);
        }

        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task A_user_named_hub_moves_to_a_name_no_user_or_api_account_holds()
    {
        var dataDir = Directory.CreateTempSubdirectory("fleet-upgrade-").FullName;
        var (connection, hubArgs) = Database(dataDir);
        const string HubUserToken = "fleet_old-hubuser-token-0123456789abcdefghijklm";
        // hub-user is taken twice: by a UI user (manage) and by an API account (view) of someone else again.
        await BuildPreviousReleaseAsync(connection,
            [new(1, "admin", "admin"), new(5, "hub-user", "view")],
            [new(1, 1, "initial", AdminToken, false), new(2, 5, "ci", HubUserToken, false)],
            [new("u1", "admin", AdminPassword, "admin"), new("u2", "hub", "old-hub-Password-1", "view"), new("u3", "hub-user", "old-hubu-Password-1", "manage")]);
        File.WriteAllText(Path.Combine(dataDir, "admin-token"), AdminToken + "\n");
        File.SetUnixFileMode(Path.Combine(dataDir, "admin-token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await using (var hub = await RunningHub.StartAsync(dataDir, hubArgs))
        {
            using var admin = hub.Admin();
            var users = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/users")).RootElement.EnumerateArray()
                .ToDictionary(u => u.GetProperty("name").GetString()!, StringComparer.Ordinal);
            Assert.Equal(["admin", "hub-user", "hub-user-api", "hub-user-u2"], users.Keys.Order(StringComparer.Ordinal));
            Assert.Equal("manage", users["hub-user"].GetProperty("role").GetString());
            Assert.Empty(TokenNames(users["hub-user"]));
            Assert.Equal("view", users["hub-user-u2"].GetProperty("role").GetString());
            Assert.True(users["hub-user-u2"].GetProperty("canSignIn").GetBoolean());
            Assert.Empty(TokenNames(users["hub-user-u2"]));
            Assert.Equal("view", users["hub-user-api"].GetProperty("role").GetString());
            Assert.Equal(["ci"], TokenNames(users["hub-user-api"]));
            using var ci = hub.Client(HubUserToken);
            Assert.Equal("hub-user-api", JsonDocument.Parse(await ci.GetStringAsync("/api/v1/whoami")).RootElement.GetProperty("name").GetString());
        }

        var (hubDb, accountsDb) = Open(connection);
        await using (hubDb)
        await using (accountsDb)
        {
            var hasher = new PasswordHasher<HubUser>();
            var moved = await accountsDb.Users.SingleAsync(u => u.NormalizedUserName == "HUB-USER-U2");
            Assert.NotEqual(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(moved, moved.PasswordHash!, "old-hub-Password-1"));
        }

        Directory.Delete(dataDir, recursive: true);
    }

    private static string[] TokenNames(JsonElement user) =>
        [.. user.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order()];

    private static readonly OldAccount[] TwoStores = [new(1, "admin", "admin"), new(2, "ci", "manage")];

    private static readonly OldToken[] TwoStoresTokens =
        [new(1, 1, "initial", AdminToken, Revoked: false), new(2, 2, "deploy", CiToken, Revoked: false), new(3, 2, "old", RevokedToken, Revoked: true)];

    private static readonly OldUser[] TwoStoresUsers =
        [new("u1", "admin", AdminPassword, "admin"), new("u2", "viewer", "old-viewer-Password-3", "view"), new("u3", "ci", CiPassword, "view")];

    private sealed record OldAccount(int Id, string Name, string Role);

    private sealed record OldToken(int Id, int Account, string Name, string Token, bool Revoked);

    private sealed record OldUser(string Id, string Name, string Password, string Role);

    /// <summary>The schema of the release before one account directory, with rows as that release wrote them.</summary>
    private async Task BuildPreviousReleaseAsync(string connection, OldAccount[] accounts, OldToken[] tokens, OldUser[] users)
    {
        var (hubDb, accountsDb) = Open(connection);
        await using (hubDb)
        await using (accountsDb)
        {
            await hubDb.GetService<IMigrator>().MigrateAsync(OldHubMigration);
            await accountsDb.GetService<IMigrator>().MigrateAsync(OldAccountsMigration);
            long At(DateTimeOffset t) => ((t.Ticks / 1000) << 11) | ((long)t.Offset.TotalMinutes & 0x7FF);
            var created = At(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
            foreach (var account in accounts)
            {
                await hubDb.Database.ExecuteSqlAsync($"""INSERT INTO "Accounts" ("Id", "Name", "Role", "CreatedAt") VALUES ({account.Id}, {account.Name}, {account.Role}, {created})""");
            }

            foreach (var token in tokens)
            {
                var revoked = token.Revoked ? created : (long?)null;
                await hubDb.Database.ExecuteSqlAsync($"""
                    INSERT INTO "ApiTokens" ("Id", "AccountId", "Name", "Hash", "CreatedAt", "RevokedAt") VALUES ({token.Id}, {token.Account}, {token.Name}, {TokenHash.Of(token.Token)}, {created}, {revoked})
                    """);
            }

            var old = new PasswordHasher<IdentityUser>();
            foreach (var user in users)
            {
                var hash = old.HashPassword(new IdentityUser(user.Name), user.Password);
                var (no, yes) = (false, true);
                await accountsDb.Database.ExecuteSqlAsync($"""
                    INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "EmailConfirmed", "PasswordHash", "SecurityStamp", "ConcurrencyStamp",
                                               "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
                    VALUES ({user.Id}, {user.Name}, {user.Name.ToUpperInvariant()}, {no}, {hash}, {"STAMP" + user.Id}, {"c" + user.Id}, {no}, {no}, {yes}, 0)
                    """);
                await accountsDb.Database.ExecuteSqlAsync($"""INSERT INTO "AspNetUserClaims" ("UserId", "ClaimType", "ClaimValue") VALUES ({user.Id}, 'fleet:role', {user.Role})""");
            }
        }
    }
}
