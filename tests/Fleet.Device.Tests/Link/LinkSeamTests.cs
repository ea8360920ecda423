using System.Collections.Concurrent;
using Fleet.Device.Commands;
using Fleet.Device.Configuration;
using Fleet.Device.Link;
using Fleet.Device.Sensors;
using Fleet.Device.Storage;
using Fleet.Device.Tank;
using Fleet.Device.Update;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Device.Tests.Link;

/// <summary>What the OTA work builds on: extra subscriptions, publishing under the device's topics, extra commands.</summary>
public sealed class LinkSeamTests : IDisposable
{
    private readonly TempDir _root = new();
    private readonly TestPki _pki = new();

    [Fact]
    public async Task Subscribed_topics_reach_their_handler_publishes_land_under_the_device_and_added_commands_are_answered()
    {
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        _pki.Provision(_root.Path, "tank-seam", broker.TlsPort);
        var events = new EventOutbox();
        var tank = new TankController(new SensorReadings(), new FakeRelays(), events, TimeProvider.System, new TankStore(_root.Path),
            new SamplingProfile(), TimeSpan.FromSeconds(5), NullLogger<TankController>.Instance);
        using var link = new DeviceLink(new DeviceRoot(_root.Path), new AgentProfile(), new TelemetrySpool(_root.Combine("spool"), 10), events, tank,
            new SlotFirmwareInfo(new DeviceRoot(_root.Path)), [new EchoUpdateHandler()], TimeProvider.System, new HubAnchorPin(new DeviceRoot(_root.Path)), NullLogger<DeviceLink>.Instance);
        var chunks = new ConcurrentQueue<InboundMessage>();
        link.Subscribe("fw/chunk/#", (m, _) =>
        {
            chunks.Enqueue(m);
            return Task.CompletedTask;
        });

        await link.StartAsync(CancellationToken.None);
        await Eventually.Until(() => link.IsConnected, "connected");
        await broker.PublishAsync(Topics.FirmwareChunk("tank-seam", "abc"), [1, 2, 3], new Dictionary<string, string> { ["index"] = "7" });
        await broker.PublishAsync(Topics.FirmwareChunk("other-tank", "abc"), [9]);
        await Eventually.Until(() => !chunks.IsEmpty, "chunk delivered to the handler");

        var chunk = Assert.Single(chunks);
        Assert.Equal("fw/chunk/abc", chunk.Kind);
        Assert.Equal([1, 2, 3], chunk.Payload);
        Assert.Equal("7", chunk.UserProperties["index"]);

        Assert.True(await link.PublishAsync(Topics.FirmwareRequestKind, FleetJson.Serialize(new ChunkRequest("abc", [0, 1]))));
        Assert.Contains(broker.Published, p => p.Topic == Topics.FirmwareRequest("tank-seam"));

        var answer = await broker.CommandAsync("tank-seam", new DeviceCommand(CommandNames.Update));
        Assert.True(answer.Ok);
        Assert.Equal("offer received", answer.Detail);
        await link.StopAsync(CancellationToken.None);
    }

    public void Dispose() => _root.Dispose();

    private sealed class EchoUpdateHandler : ICommandHandler
    {
        public string Name => CommandNames.Update;

        public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct) =>
            Task.FromResult(new CommandResponse(true, Detail: "offer received"));
    }
}
