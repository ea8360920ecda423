using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Fleet.Hub.Tests.Broker;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Rollouts;

/// <summary>A device may fetch over <c>fw/req</c> only the firmware the hub offered it, and only that firmware's
/// chunks: a request for other firmware of its product, or for an index beyond the offer, is dropped, counted and
/// noted on its page, and gets no chunk. A device certificate minted by the hub, a real MQTT 5 client over mutual TLS.</summary>
public abstract class ChunkWindowTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : ChunkWindowTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : ChunkWindowTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Only_the_offered_firmware_and_only_its_chunks_are_served()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, Unique.Name("release"), key);
        var offered = await UploadAsync(dir, product, "1.1.0", key);
        var other = await UploadAsync(dir, product, "1.2.0", key);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var chunks = new ConcurrentQueue<(string Topic, int Index, byte[] Data)>();
        var offers = new ConcurrentQueue<UpdateOffer>();
        using var client = await ConnectAsync(device, chunks, offers);
        var status = new StatusMessage(true, new FirmwareIdentity(Guid.NewGuid().ToString("D"), "1.0.0", product, "sim", "x64"), "a", "growing", 1, DateTimeOffset.UtcNow);
        await PublishAsync(client, Topics.Status(device.Serial), FleetJson.Serialize(status), retain: true);
        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}")).GetProperty("firmwareVersion").GetString() == "1.0.0",
            "the device to report 1.0.0");

        // Nothing is offered yet: even firmware of its own product is refused.
        var notOffered = await DroppedAsync(InboundValidator.NotOffered);
        await PublishAsync(client, Topics.FirmwareRequest(device.Serial), FleetJson.Serialize(new ChunkRequest(offered.Id.ToString(), [0])));
        await Eventually.Until(async () => await DroppedAsync(InboundValidator.NotOffered) > notOffered, "the request before any offer to be dropped");
        await Eventually.Until(async () => (await ProtocolEventsAsync(device)).Contains(InboundValidator.NotOffered), "a protocol event on the device's page");
        Assert.Empty(chunks);

        var (pushed, attempt) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{device.Serial}/update", new { firmware = "1.1.0" });
        Assert.True(pushed == 202, attempt.ToString());
        await Eventually.Until(() => !offers.IsEmpty, "the update offer");
        Assert.True(offers.TryPeek(out var offer));
        Assert.Equal(offered.Payload.Chunks.Count, offer.ChunkCount);

        // Offered 1.1.0; asking for 1.2.0 of the same product gets nothing.
        notOffered = await DroppedAsync(InboundValidator.NotOffered);
        await PublishAsync(client, Topics.FirmwareRequest(device.Serial), FleetJson.Serialize(new ChunkRequest(other.Id.ToString(), [0, 1])));
        await Eventually.Until(async () => await DroppedAsync(InboundValidator.NotOffered) > notOffered, "the request for firmware not offered to be dropped");
        Assert.Empty(chunks);

        // Beyond the offered firmware's chunks: the whole request is refused, the valid index beside it included.
        var outside = await DroppedAsync(InboundValidator.OutsideWindow);
        await PublishAsync(client, Topics.FirmwareRequest(device.Serial), FleetJson.Serialize(new ChunkRequest(offered.Id.ToString(), [0, offer.ChunkCount])));
        await Eventually.Until(async () => await DroppedAsync(InboundValidator.OutsideWindow) > outside, "the request beyond the window to be dropped");
        await Eventually.Until(async () => (await ProtocolEventsAsync(device)).Contains(InboundValidator.OutsideWindow), "a protocol event on the device's page");
        Assert.Empty(chunks);

        // More indexes than a window holds.
        var badIndexes = await DroppedAsync(InboundValidator.BadIndexes);
        await PublishAsync(client, Topics.FirmwareRequest(device.Serial),
            FleetJson.Serialize(new ChunkRequest(offered.Id.ToString(), [.. Enumerable.Range(0, InboundLimits.MaxChunkIndexesPerRequest + 1).Select(i => i % offer.ChunkCount)])));
        await Eventually.Until(async () => await DroppedAsync(InboundValidator.BadIndexes) > badIndexes, "the oversized request to be dropped");
        Assert.Empty(chunks);

        // The legitimate download: every chunk of the offered firmware, each matching the signed manifest.
        var all = Enumerable.Range(0, offer.ChunkCount).ToList();
        await PublishAsync(client, Topics.FirmwareRequest(device.Serial), FleetJson.Serialize(new ChunkRequest(offered.Id.ToString(), all)));
        await Eventually.Until(() => chunks.Count >= offer.ChunkCount, "every chunk of the offered firmware");
        var received = chunks.ToArray();
        Assert.All(received, c => Assert.Equal(Topics.FirmwareChunk(device.Serial, offered.Id.ToString()), c.Topic));
        Assert.Equal(all, received.Select(c => c.Index).Order());
        Assert.All(received, c => Assert.True(offered.ChunkMatches(c.Index, c.Data), $"chunk {c.Index} does not match the manifest"));
    }

    private async Task<Manifest> UploadAsync(TempDir dir, string product, string version, SigningKey key)
    {
        var bundle = await TestBundles.CreateAsync(dir.Path, product, version, key, payloadBytes: 300_000);
        var (status, body) = await TestBundles.UploadAsync(Hub, bundle, product);
        Assert.True(status == 201, body.ToString());
        var inspected = BundleVerifier.Inspect(bundle);
        return inspected.Manifest!;
    }

    private async Task<IMqttClient> ConnectAsync(DeviceIdentity device, ConcurrentQueue<(string, int, byte[])> chunks, ConcurrentQueue<UpdateOffer> offers)
    {
        var client = await MqttDevice.ConnectAsync(Hub, device);
        client.ApplicationMessageReceivedAsync += e =>
        {
            var message = e.ApplicationMessage;
            if (message.UserProperties?.FirstOrDefault(p => p.Name == "index") is { } index)
            {
                chunks.Enqueue((message.Topic, int.Parse(index.ReadValueAsString(), CultureInfo.InvariantCulture), message.Payload.ToArray()));
                return Task.CompletedTask;
            }

            var command = FleetJson.TryDeserialize<DeviceCommand>(message.Payload.ToArray());
            if (command?.Name == CommandNames.Update && command.Args is { } args)
            {
                offers.Enqueue(JsonSerializer.Deserialize(args, FleetJson.Default.UpdateOffer)!);
            }

            // Answered off the receive callback: publishing waits for the broker's ack, which the callback would hold up.
            _ = Task.Run(() => client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(message.ResponseTopic)
                .WithCorrelationData(message.CorrelationData).WithPayload(FleetJson.Serialize(new CommandResponse(true)))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.Command(device.Serial), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.FirmwareChunk(device.Serial, "+")).Build());
        return client;
    }

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain = false)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }

    private Task<double> DroppedAsync(string reason) => HubApi.DroppedAsync(Hub, reason);

    private Task<HashSet<string?>> ProtocolEventsAsync(DeviceIdentity device) => HubApi.ProtocolEventsAsync(Hub, device.Serial);
}
