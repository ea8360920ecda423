using Fleet.Device.Configuration;
using System.Collections.Concurrent;
using System.Security.Authentication;
using Fleet.Device.Update;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Fleet.Device.Link;

/// <summary>The device's MQTT 5 connection to the hub over mutual TLS: waits for provisioning, connects with the
/// provisioned certificate (client id = serial = CN), verifies the hub against its pinned anchor only
/// (<see cref="HubAnchorPin"/>), leaves a retained offline status as its last will, subscribes, and reconnects with
/// jittered exponential backoff. While connected it hands the client to the outbound pump; inbound commands go to
/// <see cref="CommandReceived"/>, other inbound messages to the subscribed handlers.</summary>
internal sealed class HubConnection : IDisposable
{
    /// <summary>MQTTnet pins both socket buffers to 8 KiB unless told otherwise. At that TCP window a firmware download
    /// spends its CPU on syscalls and acknowledgements rather than on bytes (docs/ota.md, Benchmark).</summary>
    internal const int SocketBufferBytes = 256 * 1024;

    private readonly DeviceRoot _root;
    private readonly LinkProfile _profile;
    private readonly TimeProvider _clock;
    private readonly HubAnchorPin _anchors;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Func<InboundMessage, CancellationToken, Task>> _subscriptions = new();
    private IMqttClient? _client;
    private CancellationToken _stopping;

    public HubConnection(DeviceRoot root, LinkProfile profile, TimeProvider clock, HubAnchorPin anchors, ILogger logger)
    {
        _root = root;
        _profile = profile;
        _clock = clock;
        _anchors = anchors;
        _logger = logger;
    }

    /// <summary>Raised after every (re)connection, once subscriptions are in place.</summary>
    public event Action? Connected;

    /// <summary>Raised when the connection drops (the pump stops waiting).</summary>
    public event Action? Disconnected;

    /// <summary>A message on the device's command topic: the identity, the message (for its response topic) and the payload.</summary>
    public Func<DeviceIdentity, MqttApplicationMessage, byte[], Task>? CommandReceived { get; set; }

    public DeviceIdentity? Identity { get; private set; }

    public bool IsConnected => _client?.IsConnected == true;

    public ProvisioningProblem Problem { get; private set; }

    public int ConnectAttempts { get; private set; }

    /// <summary>The token of the link's run, for handlers started from inbound messages.</summary>
    public CancellationToken Stopping => _stopping;

    public void Subscribe(string kindFilter, Func<InboundMessage, CancellationToken, Task> handler)
    {
        _subscriptions[kindFilter] = handler;
        if (_client is { IsConnected: true } client && Identity is { } id)
        {
            _ = client.SubscribeAsync(Topics.DevicePrefix(id.Serial) + kindFilter, MqttQualityOfServiceLevel.AtLeastOnce, _stopping);
        }
    }

    public async Task<bool> PublishAsync(string kind, byte[] payload, bool atLeastOnce, bool retain,
        IReadOnlyDictionary<string, string>? userProperties, CancellationToken ct)
    {
        if (_client is not { IsConnected: true } || Identity is not { } id)
        {
            return false;
        }

        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.DevicePrefix(id.Serial) + kind)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(atLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .WithRetainFlag(retain);
        foreach (var (name, value) in userProperties ?? new Dictionary<string, string>())
        {
            builder.WithUserProperty(name, new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(value)));
        }

        return await PublishAsync(builder.Build(), ct);
    }

    /// <summary>Publishes on the current client. True once acknowledged; false when offline, dropped or refused (a
    /// refusal is logged and backed off, so it does not spin; the caller keeps the message queued).</summary>
    public async Task<bool> PublishAsync(MqttApplicationMessage message, CancellationToken ct)
    {
        if (_client is not { } client)
        {
            return false;
        }

        try
        {
            var result = await client.PublishAsync(message, ct);
            if (!result.IsSuccess)
            {
                _logger.LogWarning("Hub refused {Topic}: {Reason} {Detail}", message.Topic, result.ReasonCode, result.ReasonString);
                // Back off so a refused message does not spin; it stays queued.
                await DelayAsync(TimeSpan.FromSeconds(5), ct);
            }

            return result.IsSuccess;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or InvalidOperationException or OperationCanceledException)
        {
            // Connection dropped mid-publish: the message stays queued and goes again after reconnecting.
            return false;
        }
    }

    /// <summary>At a clean shutdown (which sends no last will): publishes <paramref name="farewell"/>, then disconnects.</summary>
    public async Task CloseAsync(Func<DeviceIdentity, MqttApplicationMessage> farewell, CancellationToken ct)
    {
        if (_client is { IsConnected: true } client && Identity is { } id)
        {
            try
            {
                await client.PublishAsync(farewell(id), ct);
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), ct);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogDebug(ex, "Offline status not sent at shutdown");
            }
        }
    }

    /// <summary>Waits for provisioning, then connects and reconnects until <paramref name="stoppingToken"/>; while
    /// connected, runs <paramref name="whileConnected"/>, which returns when the connection drops.</summary>
    public async Task RunAsync(Func<IMqttClient, DeviceIdentity, CancellationToken, Task> whileConnected, CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        Identity = await WaitForProvisioningAsync(stoppingToken);
        if (Identity is null)
        {
            return;
        }

        var id = Identity;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                _logger.LogWarning("Disconnected from hub: {Reason}", e.ReasonString ?? e.Reason.ToString());
            }

            Disconnected?.Invoke();
            return Task.CompletedTask;
        };

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    ConnectAttempts++;
                    var result = await _client.ConnectAsync(Options(id), stoppingToken);
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new HubRefusedConnectionException($"hub refused the connection: {result.ResultCode} {result.ReasonString}");
                    }

                    await SubscribeAllAsync(_client, id, stoppingToken);
                    failures = 0;
                    _logger.LogInformation("Connected to hub {Host}:{Port} as {Serial}", id.Hub.Host, id.Hub.Port, id.Serial);
                    if (id.HubAnchors.ForgetPreviousIfVerified())
                    {
                        _logger.LogInformation("The hub verified under its new anchor {Fingerprint}; the previous anchor is forgotten", id.HubAnchors.Fingerprint);
                    }

                    Connected?.Invoke();
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    failures++;
                    var delay = ReconnectDelay(failures, _profile, Random.Shared.NextDouble());
                    _logger.LogWarning("Hub {Host}:{Port} not reachable ({Error}); retry {Failure} in {Delay:0.0} s",
                        id.Hub.Host, id.Hub.Port, Describe(ex), failures, delay.TotalSeconds);
                    await DelayAsync(delay, stoppingToken);
                    continue;
                }
            }

            await whileConnected(_client, id, stoppingToken);
        }
    }

    /// <summary>min(max, min·2^(n-1)) scaled by a jitter factor in [0.5, 1): devices that lost the hub together do
    /// not come back together.</summary>
    public static TimeSpan ReconnectDelay(int failures, LinkProfile profile, double random)
    {
        var ceiling = Math.Min(profile.ReconnectMaxMs, profile.ReconnectMinMs * Math.Pow(2, Math.Min(30, failures - 1)));
        return TimeSpan.FromMilliseconds(Math.Max(profile.ReconnectMinMs, ceiling * (0.5 + (random / 2))));
    }

    public void Dispose() => _client?.Dispose();

    private async Task<DeviceIdentity?> WaitForProvisioningAsync(CancellationToken ct)
    {
        var lastMessage = string.Empty;
        while (!ct.IsCancellationRequested)
        {
            Problem = ProvisioningLoader.TryLoad(_root, out var identity, out var message, _anchors);
            if (Problem == ProvisioningProblem.None)
            {
                return identity;
            }

            if (message != lastMessage)
            {
                _logger.LogError("Hub link not started ({Problem}): {Message}. The tank keeps running and telemetry is spooled.", Problem, message);
                lastMessage = message;
            }

            await DelayAsync(TimeSpan.FromSeconds(30), ct);
        }

        return null;
    }

    private MqttClientOptions Options(DeviceIdentity id)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(id.Hub.Host, id.Hub.Port)
            .WithClientId(id.Serial)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(_profile.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(20))
            .WithWillTopic(Topics.Status(id.Serial))
            .WithWillPayload(FleetJson.Serialize(StatusMessage.Offline(_clock.GetUtcNow())))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost(id.Hub.Host)
                .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
                .WithClientCertificates([id.ClientCertificate])
                .WithCertificateValidationHandler(e => id.HubAnchors.Validate(e.Certificate, e.Chain, id.Hub.Host)))
            .Build();
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = SocketBufferBytes;
        return options;
    }

    private async Task SubscribeAllAsync(IMqttClient client, DeviceIdentity id, CancellationToken ct)
    {
        var options = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.Command(id.Serial)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        foreach (var filter in _subscriptions.Keys)
        {
            options.WithTopicFilter(f => f.WithTopic(Topics.DevicePrefix(id.Serial) + filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        }

        await client.SubscribeAsync(options.Build(), ct);
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (Identity is not { } id || !Topics.TryParse(e.ApplicationMessage.Topic, out var serial, out var kind) || serial != id.Serial)
        {
            return;
        }

        var payload = System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload);
        if (kind == Topics.CommandKind)
        {
            if (CommandReceived is { } dispatch)
            {
                await dispatch(id, e.ApplicationMessage, payload);
            }

            return;
        }

        foreach (var (filter, handler) in _subscriptions)
        {
            if (MqttTopicFilterComparer.Compare(kind, filter) == MqttTopicFilterCompareResult.IsMatch)
            {
                var props = (e.ApplicationMessage.UserProperties ?? []).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Last().ReadValueAsString());
                try
                {
                    await handler(new InboundMessage(kind, payload, props), _stopping);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _logger.LogError(ex, "Handler for {Filter} failed on {Topic}", filter, e.ApplicationMessage.Topic);
                }
            }
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner == ex ? ex.Message : $"{ex.Message}: {inner.Message}";
    }
}
