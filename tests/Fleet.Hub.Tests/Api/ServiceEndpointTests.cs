using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Api;

public abstract class ServiceEndpointTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : ServiceEndpointTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : ServiceEndpointTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Health_and_OpenAPI_are_served_without_a_token()
    {
        using var client = Hub.Client();
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));

        var openApi = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/firmware", paths);
        Assert.Contains("/api/v1/devices/{serial}/revoke", paths);
        Assert.True(openApi.GetProperty("paths").GetProperty("/api/v1/firmware").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
        Assert.Equal("bearer", openApi.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task The_admin_token_file_is_private()
    {
        Assert.Equal(0b110_000_000, Posix.Mode(Path.Combine(Hub.DataDir, "admin-token")));
        Assert.Equal(0b110_000_000, Posix.Mode(Path.Combine(Hub.DataDir, "ca.key")));
        Assert.Equal(0b110_000_000, Posix.Mode(Path.Combine(Hub.DataDir, "server.key")));
        Assert.DoesNotContain(Hub.AdminToken, Hub.Process.StandardOutput);
        await Task.CompletedTask;
    }
}
