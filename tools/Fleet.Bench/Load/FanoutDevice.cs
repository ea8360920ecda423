using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Fleet.Protocol;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Fleet.Bench.Load;

/// <summary>The update protocol of a device agent on an already connected bench client, without the slots and the
/// reboot: reports its running firmware; on <c>cmd</c> <c>update</c> verifies the signed manifest against the trusted
/// key and its own identity (anti-downgrade) before answering; fetches every chunk over <c>fw/req</c> +
/// <c>fw/chunk/{uuid}</c> keeping a window in flight, checks each chunk's SHA-256 against the manifest (a bad chunk is
/// asked for again); reports <c>received</c>, <c>downloading</c>, <c>staged</c>, <c>rebooting</c>, then the new
/// firmware in its status and <c>committed</c>. The payload is counted, not stored.</summary>
internal sealed class FanoutDevice
{
    private readonly IMqttClient _client;
    private readonly string _serial;
    private readonly VerificationPolicy _policy;
    private readonly FirmwareIdentity _running;
    private readonly int _window;
    private readonly Stopwatch _clock;

    // The MQTT client runs its handler on its receive loop: a QoS 1 publish awaited there would wait for its own
    // PUBACK behind itself, so the handler only queues and this device's own loop does the talking.
    private readonly Channel<Inbound> _inbox = Channel.CreateUnbounded<Inbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Manifest? _manifest;
    private byte[][] _hashes = [];

    public FanoutDevice(IMqttClient client, VerificationPolicy policy, FirmwareIdentity running, int window, Stopwatch clock)
    {
        _client = client;
        _serial = client.Options.ClientId;
        _policy = policy;
        _running = running;
        _window = Math.Max(2, window);
        _clock = clock;
    }

    public long BytesVerified { get; private set; }

    public int CorruptChunks { get; private set; }

    /// <summary>When this device reported <c>committed</c>, on the run's clock.</summary>
    public TimeSpan CommittedAt { get; private set; }

    public string? Failure { get; private set; }

    public Task Done => _done.Task;

    public async Task StartAsync(CancellationToken ct)
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            if (topic == Topics.Command(_serial))
            {
                _inbox.Writer.TryWrite(new Inbound(e.ApplicationMessage.Payload.ToArray(), e.ApplicationMessage.ResponseTopic, e.ApplicationMessage.CorrelationData, -1, false));
            }
            else if (topic.StartsWith(Topics.FirmwareChunk(_serial, ""), StringComparison.Ordinal))
            {
                var index = int.Parse(e.ApplicationMessage.UserProperties?.FirstOrDefault(p => p.Name == "index")?.ReadValueAsString() ?? "-1", CultureInfo.InvariantCulture);
                var hashes = _hashes;
                var payload = e.ApplicationMessage.Payload;
                var ok = (uint)index < (uint)hashes.Length && Hash(payload).AsSpan().SequenceEqual(hashes[index]);
                _inbox.Writer.TryWrite(new Inbound(null, null, null, index, ok) { Size = payload.Length });
            }

            return Task.CompletedTask;
        };
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.Command(_serial), MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        await PublishStatusAsync(_running, "a", ct);
        _ = Task.Run(() => RunAsync(ct), ct);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            bool[] held = [];
            var remaining = int.MaxValue;
            var next = 0;
            var sinceAsk = 0;
            var retry = new List<int>();
            var lastTenth = -1;
            while (remaining > 0)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                quiet.CancelAfter(_manifest is null ? TimeSpan.FromMinutes(10) : TimeSpan.FromSeconds(60));
                Inbound item;
                try
                {
                    item = await _inbox.Reader.ReadAsync(quiet.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException(_manifest is null ? "no update offer within 10 minutes" : $"no chunk for 60 s ({remaining} missing)");
                }

                if (item.Command is not null)
                {
                    var manifest = await OnCommandAsync(item, ct);
                    if (manifest is not null && _manifest is null)
                    {
                        _manifest = manifest;
                        _hashes = [.. manifest.Payload.Chunks.Select(c => Convert.FromHexString(c.Sha256))];
                        held = new bool[_hashes.Length];
                        remaining = _hashes.Length;
                        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                            .WithTopicFilter(Topics.FirmwareChunk(_serial, manifest.Id), MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                        await EventAsync(UpdateStages.Received, 0, ct);
                        next = await AskAsync(next, _window, retry, ct);
                    }

                    continue;
                }

                if (_manifest is null || (uint)item.Index >= (uint)held.Length)
                {
                    continue;
                }

                if (!item.HashOk)
                {
                    // As the agent does: a chunk that does not match the signed manifest is dropped and asked for again.
                    CorruptChunks++;
                    retry.Add(item.Index);
                }
                else if (!held[item.Index])
                {
                    held[item.Index] = true;
                    remaining--;
                    BytesVerified += item.Size;
                }

                if (++sinceAsk >= _window / 2 && remaining > 0)
                {
                    sinceAsk = 0;
                    next = await AskAsync(next, _window / 2, retry, ct);
                }

                var tenth = (held.Length - remaining) * 10 / held.Length;
                if (tenth != lastTenth && remaining > 0)
                {
                    lastTenth = tenth;
                    await EventAsync(UpdateStages.Downloading, (held.Length - remaining) / (double)held.Length, ct);
                }
            }

            var m = _manifest!;
            await EventAsync(UpdateStages.Staged, 1, ct);
            await EventAsync(UpdateStages.Rebooting, 1, ct);
            await PublishStatusAsync(new FirmwareIdentity(m.Id, m.Version.ToString(), m.Product, m.Platform, m.Architecture), "b", ct);
            await EventAsync(UpdateStages.Committed, 1, ct);
            CommittedAt = _clock.Elapsed;
            _done.TrySetResult();
        }
        catch (Exception ex)
        {
            Failure = $"{_serial}: {ex.GetType().Name}: {ex.Message}";
            _done.TrySetResult();
        }
    }

    private async Task<Manifest?> OnCommandAsync(Inbound item, CancellationToken ct)
    {
        var command = FleetJson.TryDeserialize<DeviceCommand>(item.Command);
        CommandResponse response;
        Manifest? manifest = null;
        if (command?.Name != CommandNames.Update || command.Args is not { } args)
        {
            response = new CommandResponse(false, "unsupported", "the bench device only takes update");
        }
        else if (_manifest is not null)
        {
            response = new CommandResponse(false, "Busy", "an update is already running");
        }
        else
        {
            var offer = args.Deserialize(FleetJson.Default.UpdateOffer);
            var verdict = offer is null ? null : BundleVerifier.VerifyOffer(offer, _policy);
            if (verdict is null)
            {
                response = new CommandResponse(false, nameof(VerificationFailure.MalformedManifest), "no offer in the update command");
                Failure = $"{_serial}: an update command without an offer";
            }
            else if (verdict.IsValid)
            {
                manifest = verdict.Manifest;
                response = new CommandResponse(true);
            }
            else
            {
                response = new CommandResponse(false, verdict.Failure.ToString(), verdict.Message);
                Failure = $"{_serial}: refused the offer: {verdict}";
            }
        }

        if (!string.IsNullOrEmpty(item.ResponseTopic) && Topics.BelongsTo(item.ResponseTopic, _serial))
        {
            await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(item.ResponseTopic)
                .WithPayload(FleetJson.Serialize(response)).WithCorrelationData(item.Correlation ?? [])
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        }

        return manifest;
    }

    private async Task<int> AskAsync(int next, int count, List<int> retry, CancellationToken ct)
    {
        var ask = new List<int>(retry);
        retry.Clear();
        while (ask.Count < count && next < _hashes.Length)
        {
            ask.Add(next++);
        }

        if (ask.Count > 0)
        {
            await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FirmwareRequest(_serial))
                .WithPayload(FleetJson.Serialize(new ChunkRequest(_manifest!.Id, ask))).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        }

        return next;
    }

    private Task EventAsync(string stage, double progress, CancellationToken ct) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Events(_serial))
            .WithPayload(FleetJson.Serialize(new DeviceEvent(EventKinds.Update, stage, DateTimeOffset.UtcNow,
                FirmwareUuid: _manifest?.Id, FirmwareVersion: _manifest?.Version.ToString(), Progress: progress)))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

    private Task PublishStatusAsync(FirmwareIdentity firmware, string slot, CancellationToken ct) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status(_serial))
            .WithPayload(FleetJson.Serialize(new StatusMessage(true, firmware, slot, null, 0, DateTimeOffset.UtcNow)))
            .WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

    private static byte[] Hash(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return SHA256.HashData(payload.FirstSpan);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var segment in payload)
        {
            hash.AppendData(segment.Span);
        }

        return hash.GetHashAndReset();
    }

    private sealed record Inbound(byte[]? Command, string? ResponseTopic, byte[]? Correlation, int Index, bool HashOk)
    {
        public long Size { get; init; }
    }
}
