using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Fleet.Protocol;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Semver;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>A lightweight simulated agent on the cluster's Mosquitto that speaks the real update protocol (docs/ota.md):
/// retained <c>status</c> naming its firmware; the <c>update</c> command verified against its trusted key before
/// anything else and answered on the response topic; the payload fetched over <c>fw/req</c> / <c>fw/chunk/{uuid}</c>
/// with every chunk checked against the signed manifest (and asked again when none arrives for a while, as the agent
/// does after a lost request); the stages on <c>events</c>; a "reboot" into the new version (new status), a short
/// trial, then <c>committed</c>. Like the agent's UpdateEngine it treats an offer of the update it is already
/// carrying out as a no-op. It counts on its side what the hub made it do, so a test can tell an update carried out
/// twice from a harmless repeated offer.</summary>
internal sealed class UpdatingDevice : IAsyncDisposable
{
    private static readonly TimeSpan ChunkPatience = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RebootTime = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan TrialTime = TimeSpan.FromSeconds(1);

    private readonly IMqttClient _client;
    private readonly string _product;
    private readonly VerifyingKey _trusted;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, int> _offers = new();
    private readonly ConcurrentDictionary<string, int> _updatesStarted = new();
    private readonly ConcurrentDictionary<string, int> _commits = new();
    private readonly CancellationTokenSource _stop = new();
    private Channel<(int Index, byte[] Data)> _chunks = Channel.CreateUnbounded<(int, byte[])>();
    private string? _busyWith;
    private Task _work = Task.CompletedTask;

    private UpdatingDevice(IMqttClient client, string serial, string product, VerifyingKey trusted, FirmwareIdentity running)
    {
        _client = client;
        Serial = serial;
        _product = product;
        _trusted = trusted;
        Running = running;
    }

    public string Serial { get; }

    public FirmwareIdentity Running { get; private set; }

    /// <summary>Offers of a firmware that arrived while the device was already carrying out that very update.</summary>
    public int RepeatedOffers { get; private set; }

    /// <summary>Offers of the firmware the device already runs (the hub thought it still needed it).</summary>
    public int OffersOfRunningFirmware { get; private set; }

    /// <summary>What went wrong on the device side (a refused offer, a failed publish), for the assertion messages.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    public DateTimeOffset? CommittedAt { get; private set; }

    public int OffersOf(string uuid) => _offers.GetValueOrDefault(uuid);

    /// <summary>Downloads begun for the firmware (a fresh start, not a repeated offer).</summary>
    public int UpdatesStartedOf(string uuid) => _updatesStarted.GetValueOrDefault(uuid);

    /// <summary>Times the device switched to the firmware and committed it.</summary>
    public int CommitsOf(string uuid) => _commits.GetValueOrDefault(uuid);

    public static Task<UpdatingDevice> StartAsync(HubCluster cluster, DeviceIdentity identity, string product, VerifyingKey trusted, string installedVersion) =>
        StartAsync(BrokerDevice.Options(cluster, identity), identity, product, trusted, installedVersion);

    /// <summary>The same device on any broker the options name (e.g. a single hub's embedded one).</summary>
    public static async Task<UpdatingDevice> StartAsync(MqttClientOptions options, DeviceIdentity identity, string product, VerifyingKey trusted, string installedVersion)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var running = new FirmwareIdentity(Guid.NewGuid().ToString("D"), installedVersion, product, "sim", "x64");
        var device = new UpdatingDevice(client, identity.Serial, product, trusted, running);
        client.ApplicationMessageReceivedAsync += device.OnMessageAsync;
        var connected = await client.ConnectAsync(options);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{identity.Serial}: the broker refused the device: {connected.ResultCode}");
        }

        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.Command(identity.Serial)).WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic(Topics.FirmwareChunk(identity.Serial, "+")).WithAtLeastOnceQoS())
            .Build());
        await device.PublishStatusAsync("a");
        return device;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _work;
        }
        catch (OperationCanceledException)
        {
        }

        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        if (message.Topic == Topics.Command(Serial))
        {
            // Publishing (the answer) waits for the broker's ack, which this receive callback would hold up.
            var payload = message.Payload.ToArray();
            _ = Task.Run(() => OnCommandAsync(payload, message.ResponseTopic, message.CorrelationData));
        }
        else if (message.UserProperties?.FirstOrDefault(p => p.Name == "index") is { } index)
        {
            _chunks.Writer.TryWrite((int.Parse(index.ReadValueAsString(), CultureInfo.InvariantCulture), message.Payload.ToArray()));
        }

        return Task.CompletedTask;
    }

    private async Task OnCommandAsync(byte[] payload, string? responseTopic, byte[]? correlation)
    {
        try
        {
            var answer = Offer(payload, out var start);
            if (responseTopic is not null)
            {
                await PublishAsync(responseTopic, FleetJson.Serialize(answer), retain: false, correlation);
            }

            if (start is not null)
            {
                await start();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Problems.Enqueue($"command: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Checks an offer as the agent does (signature, product, platform, no downgrade) before any download.</summary>
    private CommandResponse Offer(byte[] payload, out Func<Task>? start)
    {
        start = null;
        var command = FleetJson.TryDeserialize<DeviceCommand>(payload);
        if (command?.Name != CommandNames.Update || command.Args is not { } args)
        {
            return new CommandResponse(false, "Unsupported", $"this simulated device only takes '{CommandNames.Update}'");
        }

        var offer = args.Deserialize(FleetJson.Default.UpdateOffer);
        if (offer is null)
        {
            return new CommandResponse(false, "MalformedOffer", "no update offer in the command");
        }

        var result = BundleVerifier.VerifyOffer(offer, new VerificationPolicy([_trusted])
        {
            Product = _product,
            Platform = "sim",
            Architecture = "x64",
            InstalledVersion = SemVersion.Parse(Running.Version, SemVersionStyles.Strict),
        });
        if (!result.IsValid)
        {
            Problems.Enqueue($"refused an offer: {result}");
            return new CommandResponse(false, result.Failure.ToString(), result.Message);
        }

        var manifest = result.Manifest;
        lock (_gate)
        {
            _offers.AddOrUpdate(manifest.Id, 1, (_, n) => n + 1);
            if (manifest.Id == Running.Uuid)
            {
                OffersOfRunningFirmware++;
                return new CommandResponse(false, "AlreadyRunning", $"{manifest.Version} is already committed");
            }

            if (_busyWith == manifest.Id)
            {
                RepeatedOffers++;
                return new CommandResponse(true, Detail: $"already updating to {manifest.Version}");
            }

            if (_busyWith is not null)
            {
                return new CommandResponse(false, "Busy", $"updating to {_busyWith}");
            }

            _busyWith = manifest.Id;
            _updatesStarted.AddOrUpdate(manifest.Id, 1, (_, n) => n + 1);
            _chunks = Channel.CreateUnbounded<(int, byte[])>();
        }

        start = () => _work = UpdateAsync(manifest, _stop.Token);
        return new CommandResponse(true, Detail: $"accepted {manifest.Version} ({manifest.Id})");
    }

    private async Task UpdateAsync(Manifest manifest, CancellationToken ct)
    {
        var version = manifest.Version.ToString();
        await ReportAsync(UpdateStages.Received, manifest, progress: 0);
        var count = manifest.Payload.Chunks.Count;
        var held = new bool[count];
        var missing = count;
        while (missing > 0)
        {
            var ask = Enumerable.Range(0, count).Where(i => !held[i]).Take(64).ToList();
            await PublishAsync(Topics.FirmwareRequest(Serial), FleetJson.Serialize(new ChunkRequest(manifest.Id, ask)), retain: false);
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
            patience.CancelAfter(ChunkPatience);
            try
            {
                while (missing > 0)
                {
                    var (index, data) = await _chunks.Reader.ReadAsync(patience.Token);
                    if (index < 0 || index >= count || held[index] || !manifest.ChunkMatches(index, data))
                    {
                        continue;
                    }

                    held[index] = true;
                    missing--;
                    await ReportAsync(UpdateStages.Downloading, manifest, progress: (count - missing) / (double)count);

                    // A fresh wait for each chunk that arrived: only a silent hub makes the device ask again.
                    patience.CancelAfter(ChunkPatience);
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The request (or its answers) went to a node that died: ask again for what is still missing.
            }
        }

        await ReportAsync(UpdateStages.Staged, manifest, progress: 1);
        await ReportAsync(UpdateStages.Rebooting, manifest, progress: 1);
        await Task.Delay(RebootTime, ct);
        lock (_gate)
        {
            Running = new FirmwareIdentity(manifest.Id, version, _product, "sim", "x64");
        }

        await PublishStatusAsync("b");
        await Task.Delay(TrialTime, ct);
        lock (_gate)
        {
            _commits.AddOrUpdate(manifest.Id, 1, (_, n) => n + 1);
            CommittedAt = DateTimeOffset.UtcNow;
            _busyWith = null;
        }

        await ReportAsync(UpdateStages.Committed, manifest, progress: 1);
    }

    /// <summary>Publishes a health summary from the firmware it runs now: healthy, unless <paramref name="sensor"/> names a
    /// sensor verdict that is not ok (e.g. a stuck water thermometer) or <paramref name="waterError"/> a badly held tank.</summary>
    public Task PublishHealthAsync(SensorHealth? sensor = null, double waterError = 0.1)
    {
        SensorHealth[] sensors = [sensor ?? new SensorHealth(SensorNames.WaterTemperature, HealthStates.Ok), new SensorHealth(SensorNames.Ph, HealthStates.Ok)];
        var summary = new HealthSummary(DateTimeOffset.UtcNow, Running.Uuid, 600, sensors, "growing", 0, 0, new ControlQuality(waterError, 0.95, 2.5, 0.1), 0, 0, 50_000_000);
        return PublishAsync(Topics.Health(Serial), FleetJson.Serialize(summary), retain: false);
    }

    /// <summary>Drops the connection (as a tank that loses its network); the device keeps its state.</summary>
    public Task DisconnectAsync() => _client.DisconnectAsync();

    private Task PublishStatusAsync(string slot) =>
        PublishAsync(Topics.Status(Serial), FleetJson.Serialize(new StatusMessage(true, Running, slot, "growing", 1, DateTimeOffset.UtcNow)), retain: true);

    private Task ReportAsync(string stage, Manifest manifest, double? progress) =>
        PublishAsync(Topics.Events(Serial), FleetJson.Serialize(new DeviceEvent(EventKinds.Update, stage, DateTimeOffset.UtcNow,
            FirmwareUuid: manifest.Id, FirmwareVersion: manifest.Version.ToString(), Progress: progress)), retain: false);

    private async Task PublishAsync(string topic, byte[] payload, bool retain, byte[]? correlation = null)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain);
        if (correlation is not null)
        {
            message.WithCorrelationData(correlation);
        }

        var result = await _client.PublishAsync(message.Build(), _stop.Token);
        if (!result.IsSuccess)
        {
            Problems.Enqueue($"publish to {topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }
}
