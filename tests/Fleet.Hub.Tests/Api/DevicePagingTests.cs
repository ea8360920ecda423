using System.Net;
using System.Text.Json;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using Fleet.Hub.Tests.Broker;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Api;

/// <summary>GET /api/v1/devices pages in serial order (keyset, a cursor in Link and X-Next-Cursor) and filters by
/// serial prefix, tag, firmware version, online state and tank state; a bad limit or cursor is one clear 400.</summary>
public abstract class DevicePagingTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : DevicePagingTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : DevicePagingTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Pages_cover_every_device_once_in_serial_order_and_filters_narrow_them()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var serials = Enumerable.Range(0, 23).Select(i => $"{product}-{i:00}").ToList();
        foreach (var (serial, i) in serials.Select((s, i) => (s, i)))
        {
            await DeviceIdentity.ProvisionAsync(Hub, serial, product, i % 3 == 0 ? ["field"] : ["lab"]);
        }

        // Five pages of five (the last of three), each starting after the one before; together exactly the 23.
        var seen = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var (items, cursor) = await PageAsync($"/api/v1/devices?product={product}&limit=5" + (next is null ? "" : $"&cursor={next}"));
            seen.AddRange(items);
            next = cursor;
            pages++;
        }
        while (next is not null);

        Assert.Equal(5, pages);
        Assert.Equal(serials, seen);

        Assert.Equal(serials.Where((_, i) => i % 3 == 0), (await PageAsync($"/api/v1/devices?product={product}&tag=field&limit=1000")).Items);
        Assert.Equal([$"{product}-10", $"{product}-11", $"{product}-12"], (await PageAsync($"/api/v1/devices?serial={product}-1&limit=3")).Items);
        Assert.Empty((await PageAsync($"/api/v1/devices?product={product}&version=9.9.9")).Items);

        // One tank says it is online, on 1.2.3, growing.
        var tank = await DeviceIdentity.ProvisionAsync(Hub, $"{product}-zz", product);
        using var client = await MqttDevice.ConnectAsync(Hub, tank);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status(tank.Serial)).WithRetainFlag()
            .WithPayload(FleetJson.Serialize(new StatusMessage(true, new FirmwareIdentity("fw-123", "1.2.3"), "a", "growing", 5, DateTimeOffset.UtcNow)))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await Eventually.Until(async () => (await PageAsync($"/api/v1/devices?product={product}&online=true")).Items.Count == 1, "the tank to show online");
        Assert.Equal([tank.Serial], (await PageAsync($"/api/v1/devices?product={product}&online=true&version=1.2.3&state=growing")).Items);
        Assert.Equal(23, (await PageAsync($"/api/v1/devices?product={product}&online=false&limit=1000")).Items.Count);
    }

    [Theory]
    [InlineData("limit=0", "bad_limit")]
    [InlineData("limit=1001", "bad_limit")]
    [InlineData("cursor=!!!", "bad_cursor")]
    [InlineData("cursor=Li4vZXRj", "bad_cursor")]
    public async Task A_bad_limit_or_cursor_is_refused_with_one_clear_message(string query, string code)
    {
        using var admin = Hub.Admin();
        using var response = await admin.GetAsync($"/api/v1/devices?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(code, await response.Content.ReadAsStringAsync());
    }

    private async Task<(List<string> Items, string? Next)> PageAsync(string path)
    {
        using var admin = Hub.Admin();
        using var response = await admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(d => d.GetProperty("serial").GetString()!).ToList();
        var next = response.Headers.TryGetValues("X-Next-Cursor", out var values) ? values.Single() : null;
        if (next is not null)
        {
            Assert.Contains($"cursor={next}", response.Headers.GetValues("Link").Single());
        }

        return (items, next);
    }
}
