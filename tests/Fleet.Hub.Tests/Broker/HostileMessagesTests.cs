using System.Text;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Broker;

/// <summary>A hostile or buggy tank sends statuses, events and command replies that break the protocol's rules
/// (docs/protocol.md): each is dropped, counted by reason and noted on the sender's page; nothing of it is stored,
/// and another tank's good messages beside them are.</summary>
public abstract class HostileMessagesTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : HostileMessagesTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : HostileMessagesTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Bad_statuses_events_and_replies_are_dropped_counted_and_noted_and_never_stored()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var good = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var hostile = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var goodClient = await MqttDevice.ConnectAsync(Hub, good);
        using var hostileClient = await MqttDevice.ConnectAsync(Hub, hostile);
        var now = DateTimeOffset.UtcNow;

        await PublishAsync(hostileClient, Topics.Status(hostile.Serial), Encoding.UTF8.GetBytes($"{{\"online\":true,\"activeSlot\":\"c\",\"tankState\":\"growing\",\"uptimeSeconds\":1,\"timestamp\":\"{now:O}\"}}"), retain: true);
        await PublishAsync(hostileClient, Topics.Status(hostile.Serial), Encoding.UTF8.GetBytes("{\"online\":true,\"tankState\":\"growing\",\"uptimeSeconds\":1}"), retain: true);
        await PublishAsync(hostileClient, Topics.Events(hostile.Serial), FleetJson.Serialize(new DeviceEvent(EventKinds.Protocol, "not_offered", now, Detail: "spoofed")));
        await PublishAsync(hostileClient, Topics.Events(hostile.Serial), FleetJson.Serialize(new DeviceEvent(EventKinds.Tank, "growing", now, Detail: new string('x', InboundLimits.MaxEventTextLength + 1))));
        await PublishAsync(hostileClient, Topics.Events(hostile.Serial), FleetJson.Serialize(new DeviceEvent(EventKinds.Update, "exploded", now, Detail: "unknown stage")));
        await PublishAsync(hostileClient, Topics.Response(hostile.Serial), FleetJson.Serialize(new CommandResponse(true, Detail: "no correlation")));
        await PublishAsync(goodClient, Topics.Status(good.Serial), FleetJson.Serialize(new StatusMessage(true, null, "b", "growing", 5, now)), retain: true);
        await PublishAsync(goodClient, Topics.Events(good.Serial), FleetJson.Serialize(new DeviceEvent(EventKinds.Tank, "growing", now, Detail: "initializing -> growing (ready)")));

        var expected = new[] { InboundValidator.BadSlot, InboundValidator.BadTimestamp, InboundValidator.BadKind, InboundValidator.TooLong, InboundValidator.BadCorrelation };
        await Eventually.Until(async () => (await HubApi.ProtocolEventsAsync(Hub, hostile.Serial)).IsSupersetOf(expected),
            $"protocol events {string.Join(", ", expected)} on the sender's page");
        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{good.Serial}/events")).EnumerateArray()
            .Any(e => e.GetProperty("detail").GetString() == "initializing -> growing (ready)"), "the good device's event to be stored");

        var events = (await HubApi.GetAsync(Hub, $"/api/v1/devices/{hostile.Serial}/events")).EnumerateArray().ToList();
        Assert.DoesNotContain(events, e => e.GetProperty("kind").GetString() != EventKinds.Protocol);
        Assert.DoesNotContain(events, e => e.GetProperty("detail").GetString() is "spoofed" or "unknown stage");
        var hostileDevice = await HubApi.GetAsync(Hub, $"/api/v1/devices/{hostile.Serial}");
        Assert.Null(Text(hostileDevice, "activeSlot"));
        Assert.Null(Text(hostileDevice, "tankState"));
        await Eventually.Until(async () => Text(await HubApi.GetAsync(Hub, $"/api/v1/devices/{good.Serial}"), "activeSlot") == "b",
            "the good device's status to be stored");
    }

    private static string? Text(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain = false)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }
}
