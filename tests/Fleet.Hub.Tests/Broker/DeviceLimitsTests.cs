using System.Globalization;
using Fleet.Protocol;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Broker;

/// <summary>A device may publish only the protocol's kinds, retain only its status, and send nothing larger than
/// the kind's limit; each refusal is counted and noted on its page.</summary>
public sealed class DeviceLimitsTests(SqliteHub fixture) : IClassFixture<SqliteHub>
{
    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Junk_kinds_retained_junk_and_oversized_messages_are_refused_and_never_kept()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var client = await MqttDevice.ConnectAsync(Hub, device);
        var prefix = Topics.DevicePrefix(device.Serial);

        var junk = await PublishAsync(client, prefix + "junk/1", new byte[1024], retain: true);
        var retainedEvent = await PublishAsync(client, Topics.Events(device.Serial), "{}"u8.ToArray(), retain: true);
        var huge = await PublishAsync(client, Topics.Events(device.Serial), new byte[DeviceTopicLimits.For(Topics.EventsKind)!.MaxBytes + 1], retain: false);

        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, junk);
        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, retainedEvent);
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, huge);

        // Nothing was retained: a fresh subscription to the device's own tree gets no retained junk.
        var received = 0;
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic.StartsWith(prefix + "junk", StringComparison.Ordinal) || e.ApplicationMessage.Topic == Topics.Events(device.Serial))
            {
                Interlocked.Increment(ref received);
            }

            return Task.CompletedTask;
        };
        await client.SubscribeAsync(prefix + "#");
        await client.PingAsync();
        Assert.Equal(0, received);

        var events = (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/events")).EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "protocol").Select(e => e.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "unknown_kind", "retain_refused", "too_large" }, events);
    }

    [Fact]
    public async Task A_packet_larger_than_the_protocol_allows_is_cut_at_its_header_and_other_devices_carry_on()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var hostile = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var good = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var bystander = await MqttDevice.ConnectAsync(Hub, good);
        using var client = await MqttDevice.ConnectAsync(Hub, hostile);
        var before = await DroppedAsync("packet_too_large");

        // 32 MiB announced: refused before the body is read, the connection closed.
        await Assert.ThrowsAnyAsync<Exception>(() => client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Telemetry(hostile.Serial)).WithPayload(new byte[32 * 1024 * 1024]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
        await Eventually.Until(() => !client.IsConnected, "the hub to close the hostile device's connection");
        Assert.True(await DroppedAsync("packet_too_large") > before);

        // A packet at the limit's edge, from the bystander, still goes through.
        var ok = await PublishAsync(bystander, Topics.Telemetry(good.Serial), new byte[DeviceTopicLimits.For(Topics.TelemetryKind)!.MaxBytes], retain: false);
        Assert.Contains(ok, new[] { MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.NoMatchingSubscribers });
        Assert.True(bystander.IsConnected);
    }

    private async Task<double> DroppedAsync(string reason)
    {
        using var viewer = Hub.Admin();
        var metrics = await viewer.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith($"fleet_mqtt_messages_dropped_total{{reason=\"{reason}\"}} ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_device_over_its_status_rate_is_throttled()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var client = await MqttDevice.ConnectAsync(Hub, device);
        var before = await ThrottledAsync(Topics.StatusKind);
        var burst = DeviceTopicLimits.For(Topics.StatusKind)!.Burst;

        var status = "{\"online\":true,\"uptimeSeconds\":1,\"timestamp\":\"2026-12-01T00:00:00Z\"}"u8.ToArray();
        var accepted = new[] { MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.NoMatchingSubscribers };

        // The bucket starts full: a burst is never throttled, however fast it goes.
        for (var i = 0; i < burst; i++)
        {
            Assert.Contains(await PublishAsync(client, Topics.Status(device.Serial), status, retain: true), accepted);
        }

        Assert.Equal(before, await ThrottledAsync(Topics.StatusKind));

        // Past it, a device sending faster than the rate is throttled (however slowly this machine sends, the
        // refill is 2 a second: a few hundred messages are far beyond it).
        var sent = 0;
        while (await ThrottledAsync(Topics.StatusKind) == before && sent < 400)
        {
            for (var i = 0; i < 20; i++, sent++)
            {
                await PublishAsync(client, Topics.Status(device.Serial), status, retain: true);
            }
        }

        Assert.True(await ThrottledAsync(Topics.StatusKind) > before, $"not throttled after {burst + sent} status messages");
    }

    private static async Task<MqttClientPublishReasonCode> PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return result.ReasonCode;
    }

    private async Task<double> ThrottledAsync(string kind)
    {
        using var viewer = Hub.Admin();
        var metrics = await viewer.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith($"fleet_mqtt_messages_throttled_total{{kind=\"{kind}\"}} ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
