using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Fleet.Hub.Devices;
using Fleet.Hub.Hosting;
using Fleet.Hub.Pki;
using Fleet.Protocol;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.Hub.Broker.External;

/// <summary>The hub as a privileged client of an external MQTT 5 broker (Mosquitto): devices connect there with mutual
/// TLS, the broker authenticates them (device CA + CRL) and enforces the ACL, and every hub node joins the shared
/// subscriptions, so each device message is handled by exactly one node. The node keeps its broker session across
/// restarts (clean start off, a session expiry, the client id <c>@fleet-hub/NODE</c>), and acknowledges a message only
/// once it is stored, so a node that dies loses nothing: Mosquitto hands what it had not acknowledged, and what was
/// queued for it meanwhile, to the node that comes back under the same name (docs/scale-out.md).</summary>
internal sealed class ExternalBroker : BackgroundService, IDeviceLink
{
    private static readonly string[] SharedKinds = [Topics.StatusKind, Topics.TelemetryKind, Topics.EventsKind, Topics.HealthKind, Topics.FirmwareRequestKind];

    private readonly HubOptions _options;
    private readonly HubPki _pki;
    private readonly MosquittoConfig _config;
    private readonly BrokerReload _reload;
    private readonly Lazy<DeviceRegistry> _registry;
    private readonly Lazy<DeviceInbox> _inbox;
    private readonly Lazy<DroppedMessages> _dropped;
    private readonly PublishRates _rates;
    private readonly ILogger<ExternalBroker> _log;
    private readonly IMqttClient _client;
    private readonly X509Certificate2 _clientCertificate;
    private readonly SemaphoreSlim _crlGate = new(1, 1);
    private DateTimeOffset _crlWritten = DateTimeOffset.MinValue;

    // Acknowledgements leave in the order the messages came (MQTT requires it), each once its message is stored.
    private readonly Channel<PendingAck> _acks = Channel.CreateUnbounded<PendingAck>(new UnboundedChannelOptions { SingleReader = true });

    // Packet ids are per connection: a message of an earlier connection is never acknowledged on a later one (the id
    // may by then name another message); the broker hands it out again instead, and the receipts make that harmless.
    private int _connection;

    private sealed record PendingAck(MqttApplicationMessageReceivedEventArgs Message, Task Stored, int Connection);

    public ExternalBroker(IOptions<HubOptions> options, HubPki pki, MosquittoConfig config, BrokerReload reload, Lazy<DeviceRegistry> registry, Lazy<DeviceInbox> inbox,
        Lazy<DroppedMessages> dropped, PublishRates rates, ILogger<ExternalBroker> log)
    {
        _options = options.Value;
        _pki = pki;
        _config = config;
        _reload = reload;
        _registry = registry;
        _inbox = inbox;
        _dropped = dropped;
        _rates = rates;
        _log = log;
        _clientCertificate = HubClientCertificate.LoadOrCreate(pki, _options, TimeProvider.System);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    private volatile int _online;

    /// <summary>The broker holds the connections, so this is the registry's count of devices whose last status (or
    /// last will) says online, refreshed every few seconds; with several nodes each reports the whole fleet.</summary>
    public int ConnectedCount => _online;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The broker reads these files, so they exist before it can be started (and before the hub connects).
        _config.WriteStatic();
        await RefreshCrlAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Drains before it disconnects: what the broker handed this node is stored and acknowledged, so a restart
    /// costs no redelivery. Leaving (<c>--broker-on-stop leave</c>), the node first unsubscribes, so the broker deals
    /// its share to the other nodes, and then ends its session: nothing waits in it for a node that is not coming
    /// back.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var leaving = _options.BrokerOnStop == HubOptions.LeaveOnStop;
        var drained = false;
        if (_client.IsConnected)
        {
            try
            {
                if (leaving)
                {
                    var unsubscribe = new MqttClientUnsubscribeOptionsBuilder();
                    foreach (var kind in SharedKinds)
                    {
                        unsubscribe.WithTopicFilter(SharedFilter(kind));
                    }

                    await _client.UnsubscribeAsync(unsubscribe.Build(), cancellationToken);
                }

                drained = await DrainAsync(leaving ? LeaveDrainLimit : StayDrainLimit, cancellationToken);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                _log.LogWarning("Could not drain before stopping ({Message}); the broker hands the rest out again", ex.Message);
            }
        }

        await base.StopAsync(cancellationToken);
        var left = Volatile.Read(ref _unacknowledged);
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
        }

        // A leaving node ends its session only once it has stored and acknowledged all it was handed: ending it with
        // messages still in it would lose them (the broker deals them to no one else). Otherwise the session stays,
        // and the node must come back under its name to take them.
        var ended = leaving && drained && left == 0 && await EndSessionAsync();
        if (leaving && !ended)
        {
            _log.LogError("Could not leave broker {Host}:{Port} cleanly: {Left} message(s) not acknowledged; the session stays for {Seconds} s; start the node again under --node-name {Node} to take them",
                _options.BrokerHost, _options.MqttPort, left, _options.BrokerSessionExpirySeconds, _options.NodeName);
        }
        else
        {
            _log.LogInformation("Left broker {Host}:{Port} ({Session}); {Left} message(s) were not yet acknowledged", _options.BrokerHost, _options.MqttPort,
                ended ? "session ended" : "session kept for this node's return", left);
        }

        _client.Dispose();
    }

    /// <summary>MQTTnet cannot send a session expiry of 0 in DISCONNECT (0 means "not set"), so the session ends
    /// the other way MQTT 5 allows: a connect with clean start under the same client id discards it, and that new
    /// session, with expiry 0, ends at its disconnect.</summary>
    private async Task<bool> EndSessionAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var result = await _client.ConnectAsync(Options(cleanStart: true, sessionExpirySeconds: 0), timeout.Token);
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
            return result.ResultCode == MqttClientConnectResultCode.Success;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            _log.LogWarning("Could not end this node's broker session ({Message})", ex.Message);
            return false;
        }
    }

    private static readonly TimeSpan StayDrainLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LeaveDrainLimit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DrainQuiet = TimeSpan.FromMilliseconds(500);

    // Messages handed to this node whose acknowledgement has not left yet, and when the last one came.
    private int _unacknowledged;
    private long _lastArrival;

    /// <summary>Waits until every message handed over is acknowledged and none came for a moment (a leaving node
    /// still gets what the broker had queued for it before the unsubscribe), or until <paramref name="limit"/>.</summary>
    private async Task<bool> DrainAsync(TimeSpan limit, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < limit && _client.IsConnected)
        {
            if (Volatile.Read(ref _unacknowledged) == 0 && TimeProvider.System.GetElapsedTime(Volatile.Read(ref _lastArrival)) >= DrainQuiet)
            {
                return true;
            }

            await Task.Delay(50, ct);
        }

        return false;
    }

    private static string SharedFilter(string kind) => $"$share/{BrokerIdentity.ShareGroup}/{Topics.Root}+/{kind}";

    public Task<bool> IsConnectedAsync(string serial, CancellationToken ct) => _registry.Value.IsOnlineAsync(serial, ct);

    /// <summary>The broker cannot be told to drop one client; the CRL names the device from now on, the broker is
    /// asked to reload it, and every message the device still sends is dropped by the registry (it is revoked).</summary>
    public Task DisconnectAsync(string serial, CancellationToken ct) => RefreshCrlAsync(ct);

    public async Task PublishAsync(string serial, string topic, ReadOnlyMemory<byte> payload, bool retain, string? responseTopic, byte[]? correlation, CancellationToken ct,
        IReadOnlyDictionary<string, string>? userProperties = null, bool atMostOnce = false)
    {
        var message = HubMessage.Build(topic, payload, retain, responseTopic, correlation, userProperties, atMostOnce);
        await _client.PublishAsync(message, ct);
    }

    /// <summary>Rewrites crl.pem from the registry (one writer at a time) and has the broker reload it.</summary>
    public async Task RefreshCrlAsync(CancellationToken ct)
    {
        await _crlGate.WaitAsync(ct);
        try
        {
            var revoked = await _registry.Value.RevokedCertificateSerialsAsync(ct);
            var now = TimeProvider.System.GetUtcNow();
            _config.WriteCrl(revoked, now, now.ToUnixTimeMilliseconds());
            _crlWritten = now;
            _reload.Reload();
        }
        finally
        {
            _crlGate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var acks = AcknowledgeAsync(stoppingToken);

        try
        {
            // The broker may start after the hub (it reads the files written above) or restart: keep (re)connecting.
            var attempt = 0;
            var tick = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!_client.IsConnected)
                {
                    try
                    {
                        var resumed = await ConnectAsync(stoppingToken);
                        attempt = 0;
                        _log.LogInformation("Joined broker {Host}:{Port} as {User}/{Node} ({Session})", _options.BrokerHost, _options.MqttPort, BrokerIdentity.HubUser,
                            _options.NodeName, resumed ? "session resumed" : "new session");
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        attempt++;
                        if (attempt is 1 or 10 or 100)
                        {
                            _log.LogWarning("Cannot reach broker {Host}:{Port} yet: {Message}", _options.BrokerHost, _options.MqttPort, ex.Message);
                        }
                    }
                }

                if (_client.IsConnected && ++tick % 5 == 1)
                {
                    await CountOnlineAsync(stoppingToken);
                }

                if (TimeProvider.System.GetUtcNow() - _crlWritten >= _config.CrlLifetime / 2)
                {
                    // Long before nextUpdate, so a broker never holds a CRL that has run out (it would refuse every tank).
                    await RefreshCrlAsync(stoppingToken);
                }

                var delay = _client.IsConnected ? 1000 : Math.Min(5000, 200 * (1 << Math.Min(attempt, 5)));
                await Task.Delay(delay + Random.Shared.Next(0, 200), stoppingToken);
            }
        }
        finally
        {
            _acks.Writer.TryComplete();
            await acks;
        }
    }

    /// <summary>Sends each PUBACK once its message is stored, in arrival order. A message the hub stopped before
    /// storing is not acknowledged: the broker keeps it in this node's session.</summary>
    private async Task AcknowledgeAsync(CancellationToken ct)
    {
        await foreach (var pending in _acks.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await AcknowledgeAsync(pending, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _unacknowledged);
            }
        }
    }

    private async Task AcknowledgeAsync(PendingAck pending, CancellationToken ct)
    {
        try
        {
            await pending.Stored.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (pending.Connection != Volatile.Read(ref _connection) || !_client.IsConnected)
        {
            return;
        }

        try
        {
            await pending.Message.AcknowledgeAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection went down meanwhile; the broker hands the message out again on the next one.
            _log.LogDebug(ex, "Could not acknowledge a message on {Topic}", pending.Message.ApplicationMessage.Topic);
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (e.Reason == MqttClientDisconnectReason.SessionTakenOver)
        {
            _log.LogError("The broker handed this node's session to another client with the same client id {User}/{Node}: give every hub node its own --node-name",
                BrokerIdentity.HubUser, _options.NodeName);
        }

        return Task.CompletedTask;
    }

    private async Task CountOnlineAsync(CancellationToken ct)
    {
        try
        {
            if (_options.BrokerPresenceTimeoutSeconds > 0
                && await _registry.Value.MarkSilentOfflineAsync(TimeSpan.FromSeconds(_options.BrokerPresenceTimeoutSeconds), ct) is var silent and > 0)
            {
                _log.LogInformation("{Count} device(s) sent nothing for {Seconds} s; marked offline", silent, _options.BrokerPresenceTimeoutSeconds);
            }

            _online = await _registry.Value.CountOnlineAsync(ct);
            HubMetrics.ConnectedDevices.Set(_online);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The gauge is only a view; a database hiccup must not stop the broker loop.
            _log.LogDebug(ex, "Could not count online devices");
        }
    }

    /// <summary>Connects under this node's stable client id, resuming its session if the broker still has it; true
    /// when it did (the broker then redelivers what this node had not acknowledged, and what was queued for it).</summary>
    private async Task<bool> ConnectAsync(CancellationToken ct)
    {
        var options = Options(cleanStart: false, (uint)_options.BrokerSessionExpirySeconds);

        // Before the CONNECT: a resumed session's messages may arrive before ConnectAsync returns.
        Interlocked.Increment(ref _connection);
        var result = await _client.ConnectAsync(options, ct);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the hub: {result.ResultCode} {result.ReasonString}");
        }

        // Subscribed again even when the session was resumed (it then only confirms what the broker kept). Retain as
        // published: the hub must see a device's retain flag to refuse it on anything but status.
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var kind in SharedKinds)
        {
            subscribe.WithTopicFilter(f => f.WithTopic(SharedFilter(kind)).WithAtLeastOnceQoS().WithRetainAsPublished(true));
        }

        // Command answers go to the node that asked (it holds the waiting call), so every node hears them; NoLocal
        // keeps a node from hearing its own answers to devices on the same topic.
        subscribe.WithTopicFilter(f => f.WithTopic($"{Topics.Root}+/{Topics.ResponseKind}").WithAtLeastOnceQoS().WithNoLocal(true));
        var granted = await _client.SubscribeAsync(subscribe.Build(), ct);
        if (granted.Items.FirstOrDefault(i => (int)i.ResultCode > 2) is { } refused)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
            throw new InvalidOperationException($"the broker refused the subscription {refused.TopicFilter.Topic}: {refused.ResultCode}; check its acl file");
        }

        return result.IsSessionPresent;
    }

    /// <summary>The limits of <see cref="DeviceTopicLimits"/> that Mosquitto cannot apply itself. Its ACL already
    /// refuses unknown kinds and its <c>max_packet_size</c> the largest packets, but it has one size for every topic,
    /// cannot refuse retain per topic, and has no rates. So a message over its kind's size, or retained anywhere but
    /// status, is dropped (and a retained one cleared from the broker); and a device over its rate has its status,
    /// events, health, chunk requests and replies dropped. Telemetry over the rate is still stored: the broker has
    /// acknowledged it to the device, which will not send it again, and the ingest writes it in bulk; but only up to
    /// <see cref="TelemetryCeiling"/> times the rate (an agent flushing its spool after an outage stays far below), so a
    /// device flooding telemetry cannot fill the database. Each node counts the share the broker deals it, so with N
    /// nodes a device gets N times the rate at most.</summary>
    private async Task<bool> AdmitAsync(string serial, string kind, MqttApplicationMessage message)
    {
        var refusal = DeviceTopicLimits.Refusal(kind, message.Retain, (int)Math.Min(int.MaxValue, message.Payload.Length));
        if (refusal is { } r)
        {
            // Cleared once per topic at a time, and not for a device over its rate: a flood of retained junk costs the
            // hub at most one clearing publish per topic per ClearInterval.
            if (message.Retain && kind != Topics.StatusKind && _rates.TryTake(serial, kind))
            {
                _ = ClearRetainedAsync(message.Topic);
            }

            await _dropped.Value.ReportAsync(serial, kind, Fleet.Protocol.Messages.Validation.InboundCheck.Refuse(r.Reason, r.Message), CancellationToken.None);
            return false;
        }

        if (kind == Topics.TelemetryKind ? _rates.TryTake(serial, kind, TelemetryCeiling) : _rates.TryTake(serial, kind))
        {
            return true;
        }

        var scale = kind == Topics.TelemetryKind ? TelemetryCeiling : 1;
        var detail = $"over its '{kind}' rate of {DeviceTopicLimits.For(kind)!.PerSecond * scale}/s (burst {DeviceTopicLimits.For(kind)!.Burst * scale}); dropped";
        await _dropped.Value.ReportAsync(serial, kind, Fleet.Protocol.Messages.Validation.InboundCheck.Refuse("rate_exceeded", detail), CancellationToken.None);
        return false;
    }

    /// <summary>Telemetry over the rate is stored up to this many times the rate (see <see cref="AdmitAsync"/>).</summary>
    private const int TelemetryCeiling = 5;

    private static readonly TimeSpan ClearInterval = TimeSpan.FromSeconds(10);

    // Topics this node cleared, and when; the empty message comes back through the shared subscription (to some node).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _clearing = new();

    /// <summary>An empty retained message removes what the broker retained on <paramref name="topic"/>; at most one
    /// per topic per <see cref="ClearInterval"/>.</summary>
    private async Task ClearRetainedAsync(string topic)
    {
        var now = TimeProvider.System.GetTimestamp();
        if (_clearing.TryGetValue(topic, out var last) && TimeProvider.System.GetElapsedTime(last) < ClearInterval)
        {
            return;
        }

        _clearing[topic] = now;
        try
        {
            await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithRetainFlag().WithPayload(Array.Empty<byte>())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            _log.LogDebug(ex, "Could not clear the retained message on {Topic}", topic);
        }
    }

    private MqttClientOptions Options(bool cleanStart, uint sessionExpirySeconds)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.BrokerHost, _options.MqttPort)
            .WithClientId($"{BrokerIdentity.HubUser}/{_options.NodeName}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(sessionExpirySeconds)
            .WithReceiveMaximum((ushort)_options.BrokerReceiveMaximum)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(15))
            .WithTlsOptions(tls => tls.UseTls()
                .WithTargetHost(_options.MqttHost)
                .WithCertificateValidationHandler(e => Fleet.Protocol.Tls.HubCertificatePolicy.Check(e.Certificate, e.Chain, _options.MqttHost, _pki.PresentedAnchors) == Fleet.Protocol.Tls.HubCertificateVerdict.Trusted)
                .WithRevocationMode(X509RevocationMode.NoCheck)
                .WithClientCertificates([_clientCertificate]))
            .Build();

        // MQTTnet pins both socket buffers to 8 KiB unless told otherwise; this one connection carries every device's
        // telemetry in and every firmware chunk out, so give it a window that keeps it off the syscall treadmill.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 1024 * 1024;
        return options;
    }

    /// <summary>MQTTnet hands messages over one at a time: this returns once the message is taken (a telemetry batch
    /// queued for the next drain), so the drain still writes many at once; its PUBACK waits in <see cref="_acks"/>.</summary>
    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        Interlocked.Increment(ref _unacknowledged);
        if (!e.ApplicationMessage.Topic.EndsWith("/" + Topics.ResponseKind, StringComparison.Ordinal))
        {
            // Quiet is measured on the shared subscriptions: a device flooding replies cannot hold a stopping node.
            Volatile.Write(ref _lastArrival, TimeProvider.System.GetTimestamp());
        }
        var connection = Volatile.Read(ref _connection);
        var message = e.ApplicationMessage;
        var handled = Handled.Done;
        // The broker's ACL already confined the sender to its own subtree, so the topic names the sender.
        if (message.Payload.IsEmpty && _clearing.ContainsKey(message.Topic))
        {
            // This node's own clearing of a retained message, dealt back to it by the shared subscription.
        }
        else if (Topics.TryParse(message.Topic, out var serial, out var kind) && await AdmitAsync(serial, kind, message))
        {
            var inbound = new InboundMessage(serial, kind, message.Payload.ToArray(), message.CorrelationData, message.ResponseTopic);
            handled = await _inbox.Value.DeliverAsync(inbound, CancellationToken.None);
        }
        else if (!Topics.TryParse(message.Topic, out _, out _))
        {
            HubMetrics.MessagesDropped.WithLabels("acl").Inc();
        }

        _acks.Writer.TryWrite(new PendingAck(e, handled.Stored, connection));
    }
}
