using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.EndToEnd.Tests.Trust;

/// <summary>What one device published, in the order the broker delivered it to this MQTT client.</summary>
internal sealed record DeviceMessage(long Seq, string Serial, string Kind, byte[] Payload, byte[]? Correlation)
{
    public T? As<T>()
        where T : class => FleetJson.TryDeserialize<T>(Payload);
}

/// <summary>An MQTT connection to the hub's external broker (Mosquitto) with the hub's own broker certificate
/// (DATA/broker-client.crt, CN <c>@fleet-hub</c>), which the broker's ACL lets read and write every device's subtree.
/// It sees everything a device publishes (its own, non-shared subscription beside the hub node's) and sends commands
/// on a device's <c>cmd</c> topic exactly as a hub node does: a <see cref="DeviceCommand"/> at QoS 1 with an MQTT 5
/// response topic under the device's subtree and correlation data.</summary>
internal sealed class HubBrokerSession : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<DeviceMessage> _messages = new();
    private long _seq;

    private HubBrokerSession(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (Topics.TryParse(e.ApplicationMessage.Topic, out var serial, out var kind))
            {
                var payload = System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload);
                _messages.Enqueue(new DeviceMessage(Interlocked.Increment(ref _seq), serial, kind, payload, e.ApplicationMessage.CorrelationData));
            }

            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<DeviceMessage> Messages => [.. _messages];

    /// <summary>The sequence number of the last message received so far (0 before any).</summary>
    public long Last => Interlocked.Read(ref _seq);

    public static async Task<HubBrokerSession> ConnectAsync(RunningHub hub)
    {
        using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(hub.DataDir, "broker-client.crt"), Path.Combine(hub.DataDir, "broker-client.key"));
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var client = new MqttClientFactory().CreateMqttClient();
        var session = new HubBrokerSession(client);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", hub.MqttPort)
            .WithClientId("@fleet-hub/e2e-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost("127.0.0.1")
                .WithTrustChain([hub.CaCertificate])
                .WithRevocationMode(X509RevocationMode.NoCheck)
                .WithClientCertificates([certificate]))
            .Build();
        var result = await client.ConnectAsync(options);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the hub certificate: {result.ResultCode} {result.ReasonString}");
        }

        return session;
    }

    /// <summary>Everything SERIAL publishes from now on (and its retained status).</summary>
    public async Task WatchAsync(string serial)
    {
        var granted = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.DevicePrefix(serial) + "#").WithAtLeastOnceQoS())
            .Build());
        var code = granted.Items.Single().ResultCode;
        if (code is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
        {
            throw new InvalidOperationException($"the broker refused the subscription to {serial}'s topics: {code}");
        }
    }

    /// <summary>Publishes COMMAND on SERIAL's cmd topic and waits for the device's answer to it.
    /// Returns the answer and the sequence number it arrived with.</summary>
    public async Task<(CommandResponse Response, long Seq)> SendAsync(string serial, DeviceCommand command, TimeSpan? timeout = null)
    {
        var correlation = RandomNumberGenerator.GetBytes(16);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Command(serial))
            .WithPayload(FleetJson.Serialize(command))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithResponseTopic(Topics.Response(serial))
            .WithCorrelationData(correlation)
            .Build();
        var published = await _client.PublishAsync(message);
        if (!published.IsSuccess)
        {
            throw new InvalidOperationException($"the broker refused the command to {serial}: {published.ReasonCode} {published.ReasonString}");
        }

        DeviceMessage? answer = null;
        await Eventually.Until(() =>
        {
            answer = Messages.FirstOrDefault(m => m.Serial == serial && m.Kind == Topics.ResponseKind && m.Correlation is { } c && c.AsSpan().SequenceEqual(correlation));
            return answer is not null;
        }, $"{serial} to answer the '{command.Name}' command", timeout ?? TimeSpan.FromSeconds(60));
        var response = answer!.As<CommandResponse>() ?? throw new InvalidOperationException($"{serial} answered with something that is not a CommandResponse: {System.Text.Encoding.UTF8.GetString(answer.Payload)}");
        return (response, answer.Seq);
    }

    public Task<(CommandResponse Response, long Seq)> OfferAsync(string serial, UpdateOffer offer) =>
        SendAsync(serial, new DeviceCommand(CommandNames.Update, JsonSerializer.SerializeToElement(offer, FleetJson.Default.UpdateOffer)));

    public Task<(CommandResponse Response, long Seq)> CancelAsync(string serial) =>
        SendAsync(serial, new DeviceCommand(CommandNames.CancelUpdate));

    /// <summary>The chunk requests SERIAL published for firmware UUID (after sequence number AFTER).</summary>
    public IReadOnlyList<DeviceMessage> ChunkRequests(string serial, string uuid, long after = 0) =>
        [.. Messages.Where(m => m.Seq > after && m.Serial == serial && m.Kind == Topics.FirmwareRequestKind && m.As<ChunkRequest>()?.Uuid == uuid)];

    public IReadOnlyList<DeviceEvent> Events(string serial, long after = 0) =>
        [.. Messages.Where(m => m.Seq > after && m.Serial == serial && m.Kind == Topics.EventsKind).Select(m => m.As<DeviceEvent>()).OfType<DeviceEvent>()];

    /// <summary>Waits for an event from SERIAL (after sequence number AFTER) that matches: the agent queues events and
    /// publishes them after its answer, in its own time.</summary>
    public async Task<DeviceEvent> EventAsync(string serial, Func<DeviceEvent, bool> match, string what, long after = 0)
    {
        DeviceEvent? found = null;
        await Eventually.Until(() => (found = Events(serial, after).FirstOrDefault(match)) is not null,
            $"{what} from {serial}\n{Describe(serial)}", TimeSpan.FromSeconds(60));
        return found!;
    }

    /// <summary>The latest status SERIAL published (retained or live), with its sequence number.</summary>
    public (StatusMessage? Status, long Seq) LatestStatus(string serial)
    {
        var m = Messages.LastOrDefault(m => m.Serial == serial && m.Kind == Topics.StatusKind);
        return (m?.As<StatusMessage>(), m?.Seq ?? 0);
    }

    /// <summary>Waits until SERIAL has published a status after sequence number AFTER: every message it published
    /// before that status (a chunk request, an event) has reached this client, since one client's QoS 1
    /// messages arrive in order.</summary>
    public Task StatusAfterAsync(string serial, long after, TimeSpan? timeout = null) =>
        Eventually.Until(() => Messages.Any(m => m.Seq > after && m.Serial == serial && m.Kind == Topics.StatusKind),
            $"a status from {serial} after message #{after}", timeout ?? TimeSpan.FromSeconds(60));

    public string Describe(string serial, int tail = 40) => string.Join('\n', Messages.Where(m => m.Serial == serial && m.Kind != Topics.TelemetryKind).TakeLast(tail)
        .Select(m => $"#{m.Seq} {m.Kind}: {System.Text.Encoding.UTF8.GetString(m.Payload)}"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The broker may be gone already.
        }

        _client.Dispose();
    }
}
