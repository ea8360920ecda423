using System.Buffers;
using System.Collections;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Fleet.Hub.Devices;
using Fleet.Hub.Hosting;
using Fleet.Hub.Pki;
using Fleet.Protocol;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Fleet.Hub.Broker;

/// <summary>The in-process MQTTnet broker: MQTT 5 over mutual TLS only. It authenticates devices and enforces
/// the per-device topic ACL; everything a device says goes to the <see cref="DeviceInbox"/>.</summary>
internal sealed class EmbeddedBroker : IHostedService, IDeviceLink, IAsyncDisposable
{
    private readonly HubPki _pki;
    private readonly Lazy<DeviceRegistry> _registry;
    private readonly Lazy<DeviceInbox> _inbox;
    private readonly Lazy<DroppedMessages> _dropped;
    private readonly ILogger<EmbeddedBroker> _log;
    private readonly MqttServer _server;
    private readonly PublishRates _rates;
    private readonly TimeProvider _clock;
    private static readonly TimeSpan RecountDelay = TimeSpan.FromMilliseconds(200);
    private volatile int _connected;
    private int _recountScheduled;

    public EmbeddedBroker(IOptions<HubOptions> options, HubPki pki, PublishRates rates, TimeProvider clock,
        Lazy<DeviceRegistry> registry, Lazy<DeviceInbox> inbox, Lazy<DroppedMessages> dropped, ILogger<EmbeddedBroker> log)
    {
        _pki = pki;
        _rates = rates;
        _clock = clock;
        _registry = registry;
        _inbox = inbox;
        _dropped = dropped;
        _log = log;
        var o = options.Value;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            // A bounded queue of undelivered messages per device: a device that stops reading loses the oldest
            // (chunks are re-asked, commands re-sent) instead of growing the hub. A firmware window is 64 chunks.
            .WithMaxPendingMessagesPerClient(1000)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage)
            .Build();

        // Our own TLS listener: it cuts an oversized packet at its header. A hub restart brings every device back at
        // once: room for a burst of handshakes in the accept queue (the kernel caps it at net.core.somaxconn).
        var listener = new DeviceTlsListener(o.BindAddress, o.MqttPort, 1024, pki, ValidateClientCertificate, log);
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, [listener]);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.InterceptingClientEnqueueAsync += InterceptDeliveryAsync;
        _server.ClientConnectedAsync += OnConnectedAsync;
        _server.ClientDisconnectedAsync += OnDisconnectedAsync;
    }

    public int ConnectedCount => _connected;

    private DeviceRegistry Registry => _registry.Value;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _server.StartAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _server.StopAsync(new MqttServerStopOptions());
    }

    public async Task<bool> IsConnectedAsync(string serial, CancellationToken ct) =>
        (await _server.GetClientsAsync()).Any(c => c.Id == serial);

    public async Task DisconnectAsync(string serial, CancellationToken ct)
    {
        if (await IsConnectedAsync(serial, ct))
        {
            await _server.DisconnectClientAsync(serial, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = "revoked" });
        }
    }

    public async Task PublishAsync(string serial, string topic, ReadOnlyMemory<byte> payload, bool retain, string? responseTopic, byte[]? correlation, CancellationToken ct,
        IReadOnlyDictionary<string, string>? userProperties = null, bool atMostOnce = false)
    {
        var message = HubMessage.Build(topic, payload, retain, responseTopic, correlation, userProperties, atMostOnce);
        await _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message)
        {
            SenderClientId = SessionKeys.HubClientId,
            CustomSessionItems = new Hashtable { [SessionKeys.Hub] = true },
        }, ct);
    }

    public async ValueTask DisposeAsync()
    {
        _server.Dispose();
        await Task.CompletedTask;
    }

    /// <summary>TLS layer: only certificates issued by our device CA get as far as CONNECT. The default
    /// policy errors are ignored on purpose: the system trust store knows nothing of our CA, and
    /// <see cref="HubPki.IsDeviceCertificate"/> builds the chain against it instead.</summary>
    private bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            HubMetrics.ConnectionsRefused.WithLabels("no_certificate").Inc();
            return false;
        }

        using var cert = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var ok = _pki.IsDeviceCertificate(cert);
        if (!ok)
        {
            HubMetrics.ConnectionsRefused.WithLabels("untrusted_certificate").Inc();
            _log.LogWarning("Refused TLS client certificate {Subject}: not issued by the device CA", cert.Subject);
        }

        return ok;
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var certificate = e.ClientCertificate;
        if (certificate is null || !_pki.IsDeviceCertificate(certificate))
        {
            Refuse(e, MqttConnectReasonCode.NotAuthorized, "no_certificate", "a device certificate from the hub's device CA is required");
            return;
        }

        var serial = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (string.IsNullOrEmpty(serial) || serial != e.ClientId)
        {
            Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, "client_id_mismatch", $"client id '{e.ClientId}' differs from the certificate CN '{serial}'");
            return;
        }

        var verdict = await Registry.CheckConnectionAsync(serial, DeviceRegistry.Fingerprint(certificate), e.CancellationToken);
        switch (verdict)
        {
            case ConnectionVerdict.Accepted:
                e.SessionItems[SessionKeys.Serial] = serial;
                e.ReasonCode = MqttConnectReasonCode.Success;
                break;
            case ConnectionVerdict.Revoked:
                Refuse(e, MqttConnectReasonCode.Banned, "revoked", $"device '{serial}' is revoked");
                break;
            case ConnectionVerdict.UnknownSerial:
                Refuse(e, MqttConnectReasonCode.NotAuthorized, "unknown_serial", $"device '{serial}' is not registered");
                break;
            default:
                Refuse(e, MqttConnectReasonCode.NotAuthorized, "certificate_mismatch", $"device '{serial}' presented a certificate other than the one it was issued");
                break;
        }
    }

    private void Refuse(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string reason, string message)
    {
        e.ReasonCode = code;
        e.ReasonString = message;
        HubMetrics.ConnectionsRefused.WithLabels(reason).Inc();
        _log.LogWarning("Refused MQTT connection of client '{ClientId}': {Message}", e.ClientId, message);
    }

    private static string? SerialOf(IDictionary items) => items[SessionKeys.Serial] as string;

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.SessionItems?[SessionKeys.Hub] is true)
        {
            return;
        }

        var topic = e.ApplicationMessage.Topic;
        var serial = e.SessionItems is null ? null : SerialOf(e.SessionItems);
        if (serial is null || !Topics.BelongsTo(topic, serial) || !Topics.TryParse(topic, out _, out var kind))
        {
            // Fail closed: a session without a proven serial, or a topic outside the device's own subtree.
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            e.Response.ReasonString = $"'{serial}' may publish only under {Topics.Root}{serial}/";
            HubMetrics.MessagesDropped.WithLabels("acl").Inc();
            _log.LogWarning("Refused publish by '{Serial}' to '{Topic}'", serial, topic);
            return;
        }

        var message = e.ApplicationMessage;
        if (!await AdmitAsync(e, serial, kind, message))
        {
            return;
        }

        // The device's PUBACK leaves when this returns: only once the message is stored (a telemetry batch waits for
        // the drain that commits it), so a hub that dies first leaves the device to send it again.
        var inbound = new InboundMessage(serial, kind, message.Payload.ToArray(), message.CorrelationData, message.ResponseTopic);
        var handled = await _inbox.Value.DeliverAsync(inbound, e.CancellationToken);
        await handled.Stored.WaitAsync(e.CancellationToken);
    }

    /// <summary>The per-kind limits of <see cref="DeviceTopicLimits"/>: a kind the protocol does not have, a retained
    /// message anywhere but status, or an oversized payload is refused and reported on the device's page; a device
    /// over its rate waits (only its own session slows), and one that stays over it is disconnected.</summary>
    private async Task<bool> AdmitAsync(InterceptingPublishEventArgs e, string serial, string kind, MqttApplicationMessage message)
    {
        var refusal = DeviceTopicLimits.Refusal(kind, message.Retain, (int)Math.Min(int.MaxValue, message.Payload.Length));
        if (refusal is { } r)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = r.Reason == "too_large" ? MqttPubAckReasonCode.PayloadFormatInvalid : MqttPubAckReasonCode.TopicNameInvalid;
            e.Response.ReasonString = r.Message;
            await Dropped.ReportAsync(serial, kind, Fleet.Protocol.Messages.Validation.InboundCheck.Refuse(r.Reason, r.Message), e.CancellationToken);
            return false;
        }

        var wait = _rates.Admit(serial, kind);
        if (wait is null)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            var detail = $"over its '{kind}' rate of {DeviceTopicLimits.For(kind)!.PerSecond}/s for {PublishRates.MaxThrottled.TotalSeconds:0} s; disconnected";
            await Dropped.ReportAsync(serial, kind, Fleet.Protocol.Messages.Validation.InboundCheck.Refuse("rate_exceeded", detail), e.CancellationToken);
            _ = Task.Run(() => _server.DisconnectClientAsync(serial, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.QuotaExceeded, ReasonString = detail }));
            return false;
        }

        if (wait > TimeSpan.Zero)
        {
            HubMetrics.MessagesThrottled.WithLabels(kind).Inc();
            await Task.Delay(wait.Value, _clock, e.CancellationToken);
        }

        return true;
    }

    private DroppedMessages Dropped => _dropped.Value;

    /// <summary>Second line of the ACL, at delivery: a device receives only its own topics, and only what the hub or
    /// the device itself sent. Whatever path a message took (publish, last will, retained), nothing crosses devices.</summary>
    private static Task InterceptDeliveryAsync(InterceptingClientApplicationMessageEnqueueEventArgs e)
    {
        var receiver = e.ReceiverClientId;
        e.AcceptEnqueue = Topics.BelongsTo(e.ApplicationMessage.Topic, receiver)
            && (e.SenderClientId == SessionKeys.HubClientId || e.SenderClientId == receiver);
        if (!e.AcceptEnqueue)
        {
            HubMetrics.MessagesDropped.WithLabels("acl_delivery").Inc();
        }

        return Task.CompletedTask;
    }

    /// <summary>Counted from the broker's own client list, so refused or taken-over sessions cannot skew it. The list
    /// costs O(connections) to build, so a burst of connects and disconnects shares one recount a moment later
    /// instead of paying for one each (quadratic in a reconnect storm).</summary>
    private Task CountConnectedAsync()
    {
        if (Interlocked.Exchange(ref _recountScheduled, 1) == 0)
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(RecountDelay);
                Volatile.Write(ref _recountScheduled, 0);
                try
                {
                    _connected = (await _server.GetClientsAsync()).Count;
                    HubMetrics.ConnectedDevices.Set(_connected);
                }
                catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
                {
                    // The broker is stopping; there is nothing left to count.
                }
            });
        }

        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var serial = e.SessionItems is null ? null : SerialOf(e.SessionItems);
        if (serial is null || !Topics.BelongsTo(e.TopicFilter.Topic, serial))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            e.Response.ReasonString = $"'{serial}' may subscribe only under {Topics.Root}{serial}/";
            _log.LogWarning("Refused subscription by '{Serial}' to '{Filter}'", serial, e.TopicFilter.Topic);
        }

        return Task.CompletedTask;
    }

    private async Task OnConnectedAsync(ClientConnectedEventArgs e)
    {
        await CountConnectedAsync();
        if (SerialOf(e.SessionItems) is { } serial)
        {
            await Registry.SetPresenceAsync(serial, online: true, CancellationToken.None);
        }
    }

    private async Task OnDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        await CountConnectedAsync();
        // A takeover means the same device connected again; it is still online.
        if (e.DisconnectType != MqttClientDisconnectType.Takeover && e.SessionItems is not null && SerialOf(e.SessionItems) is { } serial)
        {
            await Registry.SetPresenceAsync(serial, online: false, CancellationToken.None);
        }
    }
}
