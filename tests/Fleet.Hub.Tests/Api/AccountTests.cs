using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Api;

/// <summary>The one account directory over the real API: roles, disabling, deleting, expiring tokens, listing without
/// secrets, and audit entries that name the user and its token.</summary>
public abstract class AccountTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : AccountTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : AccountTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_disabled_user_token_gets_401_until_enabled_again()
    {
        var name = Unique.Name("dora");
        var token = await Hub.CreateUserAsync(name, "view");
        Assert.Equal(200, await StatusAsync(token, "/api/v1/devices"));

        var (disabled, user) = await PatchAsync($"/api/v1/users/{name}", new { disabled = true });
        Assert.Equal(200, disabled);
        Assert.True(user.GetProperty("disabled").GetBoolean());
        var (refused, problem) = await GetAsync(token, "/api/v1/devices");
        Assert.Equal(401, refused);
        Assert.Contains("disabled", problem.GetProperty("detail").GetString());

        Assert.Equal(200, (await PatchAsync($"/api/v1/users/{name}", new { disabled = false })).Status);
        Assert.Equal(200, await StatusAsync(token, "/api/v1/devices"));
    }

    [Fact]
    public async Task An_expired_token_gets_401_naming_the_expiry()
    {
        var name = Unique.Name("eve");
        await Hub.CreateUserAsync(name, "view");
        var expires = DateTimeOffset.UtcNow.AddSeconds(2);
        var (created, issued) = await HubApi.PostAsync(Hub, $"/api/v1/users/{name}/tokens",
            new { name = "short", expires = expires.ToString("O", CultureInfo.InvariantCulture) });
        Assert.Equal(201, created);
        var token = issued.GetProperty("token").GetString()!;

        // Not a timing assertion: the request is sent only once the expiry has certainly passed.
        while (DateTimeOffset.UtcNow < expires.AddSeconds(1))
        {
            await Task.Delay(200);
        }

        var (status, problem) = await GetAsync(token, "/api/v1/devices");
        Assert.Equal(401, status);
        Assert.Contains("expired", problem.GetProperty("detail").GetString());
        var listed = (await HubApi.GetAsync(Hub, $"/api/v1/users/{name}/tokens")).EnumerateArray().Single(t => t.GetProperty("name").GetString() == "short");
        Assert.True(listed.GetProperty("expired").GetBoolean());
    }

    [Fact]
    public async Task Tokens_expire_in_90_days_unless_never_is_asked_for_and_a_bad_expiry_is_refused()
    {
        var name = Unique.Name("fay");
        var before = DateTimeOffset.UtcNow;
        await Hub.CreateUserAsync(name, "view");
        var (_, never) = await HubApi.PostAsync(Hub, $"/api/v1/users/{name}/tokens", new { name = "forever", expires = "never" });
        var (bad, problem) = await HubApi.PostAsync(Hub, $"/api/v1/users/{name}/tokens", new { name = "bad", expires = "soon" });
        var (past, _) = await HubApi.PostAsync(Hub, $"/api/v1/users/{name}/tokens", new { name = "past", expires = "2001-01-01" });

        var tokens = (await HubApi.GetAsync(Hub, $"/api/v1/users/{name}/tokens")).EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        var initial = tokens["initial"].GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(initial, before.AddDays(90).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(90).AddMinutes(5));
        Assert.Equal(JsonValueKind.Null, never.GetProperty("expiresAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, tokens["forever"].GetProperty("expiresAt").ValueKind);
        Assert.Equal(400, bad);
        Assert.Equal("invalid_expiry", problem.GetProperty("code").GetString());
        Assert.Equal(400, past);
        Assert.DoesNotContain("bad", tokens.Keys);
    }

    [Fact]
    public async Task Token_lists_show_a_fingerprint_and_times_but_never_the_secret()
    {
        var name = Unique.Name("gil");
        var initial = await Hub.CreateUserAsync(name, "view");
        var (_, issued) = await HubApi.PostAsync(Hub, $"/api/v1/users/{name}/tokens", new { name = "ci" });
        var ci = issued.GetProperty("token").GetString()!;
        Assert.Equal(200, await StatusAsync(ci, "/api/v1/devices"));

        using var admin = Hub.Admin();
        var users = await admin.GetStringAsync("/api/v1/users");
        var tokens = await admin.GetStringAsync($"/api/v1/users/{name}/tokens");
        foreach (var listing in new[] { users, tokens })
        {
            Assert.DoesNotContain(ci, listing, StringComparison.Ordinal);
            Assert.DoesNotContain(initial, listing, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ci))), listing, StringComparison.Ordinal);
        }

        var listed = JsonDocument.Parse(tokens).RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "ci");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ci)));
        Assert.Equal("sha256:" + hash[..12], listed.GetProperty("fingerprint").GetString());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("lastUsedAt").ValueKind);
        Assert.Equal(JsonValueKind.String, listed.GetProperty("createdAt").ValueKind);
    }

    [Fact]
    public async Task Deleting_a_user_revokes_its_tokens()
    {
        var name = Unique.Name("hal");
        var token = await Hub.CreateUserAsync(name, "manage");
        Assert.Equal(200, await StatusAsync(token, "/api/v1/devices"));

        var (deleted, _) = await HubApi.SendAsync(Hub, HttpMethod.Delete, $"/api/v1/users/{name}", null);

        Assert.Equal(204, deleted);
        Assert.Equal(401, await StatusAsync(token, "/api/v1/devices"));
        Assert.Equal(404, (await HubApi.SendAsync(Hub, HttpMethod.Get, $"/api/v1/users/{name}", null)).Status);
        // The name is free again, and the new user does not inherit the old tokens.
        var again = await Hub.CreateUserAsync(name, "view");
        Assert.Equal(401, await StatusAsync(token, "/api/v1/devices"));
        Assert.Equal(200, await StatusAsync(again, "/api/v1/devices"));
    }

    [Fact]
    public async Task The_name_the_audit_log_gives_the_hub_itself_cannot_be_a_user()
    {
        var (status, problem) = await HubApi.PostAsync(Hub, "/api/v1/users", new { name = "Hub", role = "view" });

        Assert.Equal(400, status);
        Assert.Equal("reserved_name", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_role_change_applies_to_the_next_request_and_the_last_admin_cannot_be_removed()
    {
        var name = Unique.Name("ivy");
        var token = await Hub.CreateUserAsync(name, "view");
        Assert.Equal(403, (await HubApi.PostAsync(Hub, "/api/v1/products", new { name = Unique.Name("p") }, token)).Status);

        Assert.Equal(200, (await PatchAsync($"/api/v1/users/{name}", new { role = "manage" })).Status);
        Assert.Equal(201, (await HubApi.PostAsync(Hub, "/api/v1/products", new { name = Unique.Name("p") }, token)).Status);

        var (unknown, problem) = await PatchAsync($"/api/v1/users/{name}", new { role = "root" });
        Assert.Equal(400, unknown);
        Assert.Equal("unknown_role", problem.GetProperty("code").GetString());
        var (demote, last) = await PatchAsync("/api/v1/users/admin", new { role = "view" });
        Assert.Equal(409, demote);
        Assert.Equal("last_admin", last.GetProperty("code").GetString());
        Assert.Equal(409, (await PatchAsync("/api/v1/users/admin", new { disabled = true })).Status);
        Assert.Equal(409, (await HubApi.SendAsync(Hub, HttpMethod.Delete, "/api/v1/users/admin", null)).Status);
        Assert.Equal(200, await StatusAsync(Hub.AdminToken, "/api/v1/users"));
    }

    [Fact]
    public async Task Audit_entries_name_the_user_and_the_token_that_acted()
    {
        var name = Unique.Name("alice");
        await Hub.CreateUserAsync(name, "manage");
        var (_, issued) = await HubApi.PostAsync(Hub, $"/api/v1/users/{name}/tokens", new { name = "ci" });
        var product = Unique.Name("tank");

        await Hub.PostOkAsync("/api/v1/products", new { name = product }, issued.GetProperty("token").GetString()!);

        var entries = (await HubApi.GetAsync(Hub, $"/api/v1/audit?subject=product:{product}")).EnumerateArray().ToList();
        var created = Assert.Single(entries);
        Assert.Equal(name, created.GetProperty("actor").GetString());
        Assert.Equal("ci", created.GetProperty("token").GetString());
        var tokenCreated = (await HubApi.GetAsync(Hub, $"/api/v1/audit?subject=user:{name}")).EnumerateArray()
            .Single(e => e.GetProperty("action").GetString() == "token.create");
        Assert.Equal("admin", tokenCreated.GetProperty("actor").GetString());
        Assert.Equal("initial", tokenCreated.GetProperty("token").GetString());
    }

    [Fact]
    public async Task A_generated_password_is_returned_once_and_a_weak_one_is_refused()
    {
        var name = Unique.Name("jo");
        await Hub.CreateUserAsync(name, "view");
        Assert.False((await HubApi.GetAsync(Hub, $"/api/v1/users/{name}")).GetProperty("canSignIn").GetBoolean());

        var (set, generated) = await HubApi.PostAsync(Hub, $"/api/v1/users/{name}/password", new { });
        var (weak, problem) = await HubApi.PostAsync(Hub, $"/api/v1/users/{name}/password", new { password = "short" });

        Assert.Equal(200, set);
        Assert.True(generated.GetProperty("password").GetString()!.Length >= 12);
        Assert.True((await HubApi.GetAsync(Hub, $"/api/v1/users/{name}")).GetProperty("canSignIn").GetBoolean());
        Assert.Equal(400, weak);
        Assert.Contains(name, problem.GetProperty("detail").GetString());
        using var admin = Hub.Admin();
        Assert.DoesNotContain(generated.GetProperty("password").GetString()!, await admin.GetStringAsync("/api/v1/users"), StringComparison.Ordinal);
    }

    private async Task<int> StatusAsync(string token, string path) => (await GetAsync(token, path)).Status;

    private async Task<(int Status, JsonElement Body)> GetAsync(string token, string path) =>
        await HubApi.SendAsync(Hub, HttpMethod.Get, path, null, token);

    private async Task<(int Status, JsonElement Body)> PatchAsync(string path, object body) =>
        await HubApi.SendAsync(Hub, HttpMethod.Patch, path, JsonContent.Create(body));
}
