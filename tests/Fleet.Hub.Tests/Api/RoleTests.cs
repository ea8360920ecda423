using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Api;

public abstract class RoleTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : RoleTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : RoleTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_view_token_reads_but_cannot_publish_firmware()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, "release", key);
        var viewer = await Hub.CreateUserAsync(Unique.Name("viewer"), "view");

        var (status, problem) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key), product, viewer);

        Assert.Equal(403, status);
        Assert.Contains("manage", problem.GetProperty("detail").GetString());
        Assert.Equal(0, (await HubApi.GetAsync(Hub, $"/api/v1/firmware?product={product}", viewer)).GetArrayLength());
    }

    [Fact]
    public async Task A_manage_token_cannot_create_users_or_register_keys()
    {
        var manager = await Hub.CreateUserAsync(Unique.Name("manager"), "manage");
        var product = await HubApi.CreateProductAsync(Hub);

        var (users, problem) = await HubApi.PostAsync(Hub, "/api/v1/users", new { name = Unique.Name("eve"), role = "admin" }, manager);
        var (keys, _) = await HubApi.PostAsync(Hub, "/api/v1/keys", new { name = "k", product, publicKeyPem = SigningKey.Generate().PublicKey.ToPem() }, manager);

        Assert.Equal(403, users);
        Assert.Equal(403, keys);
        Assert.Contains("admin", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_refused_with_problem_details()
    {
        using var anonymous = Hub.Client();
        var none = await anonymous.GetAsync("/api/v1/devices");
        using var wrong = Hub.Client("fleet_not-a-real-token");
        var bad = await wrong.GetAsync("/api/v1/devices");

        Assert.Equal(401, (int)none.StatusCode);
        Assert.Equal(401, (int)bad.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_key_restricted_to_group_test_cannot_ship_to_group_production()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var test = Unique.Name("test");
        var production = Unique.Name("production");
        var developer = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, "developer", developer, test);
        var (uploaded, _) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "0.9.0-dev.1", developer), product);
        Assert.Equal(201, uploaded);

        var (toTest, _) = await HubApi.PostAsync(Hub, "/api/v1/deployments", new { name = test, product, firmware = "0.9.0-dev.1" });
        var (toProduction, problem) = await HubApi.PostAsync(Hub, "/api/v1/deployments", new { name = production, product, firmware = "0.9.0-dev.1" });

        Assert.Equal(201, toTest);
        Assert.Equal(403, toProduction);
        Assert.Equal("key_not_allowed_for_group", problem.GetProperty("code").GetString());
        Assert.Contains(production, problem.GetProperty("detail").GetString());
        var (missing, _) = await HubApi.SendAsync(Hub, HttpMethod.Get, $"/api/v1/deployments/{production}", null);
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task A_group_cannot_be_switched_to_firmware_signed_only_by_a_key_restricted_to_another_group()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var release = SigningKey.Generate();
        var developer = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, "release", release);
        await TestBundles.RegisterKeyAsync(Hub, product, "developer", developer, Unique.Name("test"));
        await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", release), product);
        await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.1.0-dev", developer), product);
        var production = Unique.Name("production");
        await Hub.PostOkAsync("/api/v1/deployments", new { name = production, product, firmware = "1.0.0" });

        var (status, problem) = await HubApi.SendAsync(Hub, HttpMethod.Patch, $"/api/v1/deployments/{production}", System.Net.Http.Json.JsonContent.Create(new { firmware = "1.1.0-dev" }));

        Assert.Equal(403, status);
        Assert.Equal("key_not_allowed_for_group", problem.GetProperty("code").GetString());
        Assert.Equal("1.0.0", (await HubApi.GetAsync(Hub, $"/api/v1/deployments/{production}")).GetProperty("firmwareVersion").GetString());
    }
}
