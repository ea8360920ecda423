using System.Collections.Concurrent;
using System.Security.Authentication;
using Fleet.Device.Commands;
using Fleet.Device.Configuration;
using Fleet.Device.Storage;
using Fleet.Device.Tank;
using Fleet.Device.Update;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Fleet.Device.Link;

/// <summary>The device's MQTT 5 connection to the hub over mutual TLS. Connects with the provisioned certificate
/// (client id = serial = CN), verifies the hub against its pinned anchor only (<see cref="HubAnchorPin"/>), leaves a retained offline status as its
/// last will, then keeps status, events and the telemetry spool flowing while connected, and reconnects with
/// jittered exponential backoff when not. Hub commands are dispatched to <see cref="ICommandHandler"/>s and
/// answered on the MQTT 5 response topic.</summary>
public sealed class DeviceLink : BackgroundService, IDeviceLink
{
    private readonly DeviceRoot _root;
    private readonly LinkProfile _profile;
    private readonly TelemetrySpool _spool;
    private readonly EventOutbox _events;
    private readonly TankController _tank;
    private readonly IFirmwareInfo _firmware;
    private readonly Dictionary<string, ICommandHandler> _handlers;
    private readonly TimeProvider _clock;
    private readonly HubAnchorPin _anchors;
    private readonly ILogger<DeviceLink> _logger;
    private readonly ConcurrentDictionary<string, Func<InboundMessage, CancellationToken, Task>> _subscriptions = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly long _started = TimeProvider.System.GetTimestamp();
    private IMqttClient? _client;
    private DeviceIdentity? _identity;
    private volatile bool _statusDirty = true;
    private CancellationToken _stopping;

    public DeviceLink(DeviceRoot root, AgentProfile profile, TelemetrySpool spool, EventOutbox events, TankController tank,
        IFirmwareInfo firmware, IEnumerable<ICommandHandler> handlers, TimeProvider clock, HubAnchorPin anchors, ILogger<DeviceLink> logger)
    {
        _anchors = anchors;
        _anchors.Changed += () =>
        {
            _statusDirty = true;
            Wake();
        };
        _root = root;
        _profile = profile.Link;
        _spool = spool;
        _events = events;
        _tank = tank;
        _firmware = firmware;
        _handlers = handlers.ToDictionary(h => h.Name, StringComparer.Ordinal);
        _clock = clock;
        _logger = logger;
        _spool.Appended += Wake;
        _events.Queued += Wake;
        _tank.StateChanged += _ =>
        {
            _statusDirty = true;
            Wake();
        };
    }

    public event Action? Connected;

    public string? Serial => _identity?.Serial;

    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Why the link is not running, when it is not (named failure for logs and tests).</summary>
    public ProvisioningProblem Problem { get; private set; }

    public int ConnectAttempts { get; private set; }

    public void Subscribe(string kindFilter, Func<InboundMessage, CancellationToken, Task> handler)
    {
        _subscriptions[kindFilter] = handler;
        if (_client is { IsConnected: true } client && _identity is { } id)
        {
            _ = client.SubscribeAsync(Topics.DevicePrefix(id.Serial) + kindFilter, MqttQualityOfServiceLevel.AtLeastOnce, _stopping);
        }
    }

    public async Task<bool> PublishAsync(string kind, byte[] payload, bool atLeastOnce = true, bool retain = false,
        IReadOnlyDictionary<string, string>? userProperties = null, CancellationToken ct = default)
    {
        if (_client is not { IsConnected: true } client || _identity is not { } id)
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

        return await PublishAsync(client, builder.Build(), ct);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true } client && _identity is { } id)
        {
            try
            {
                // A clean shutdown sends no last will, so say "offline" ourselves.
                await client.PublishAsync(StatusMessageFor(id, online: false), cancellationToken);
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogDebug(ex, "Offline status not sent at shutdown");
            }
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _client?.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        _identity = await WaitForProvisioningAsync(stoppingToken);
        if (_identity is null)
        {
            return;
        }

        var id = _identity;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                _logger.LogWarning("Disconnected from hub: {Reason}", e.ReasonString ?? e.Reason.ToString());
            }

            Wake();
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
                    _statusDirty = true;
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
                    await DelayAsync(delay, stoppingToken, wakeable: false);
                    continue;
                }
            }

            await PumpAsync(_client, id, stoppingToken);
        }
    }

    /// <summary>min(max, min·2^(n-1)) scaled by a jitter factor in [0.5, 1): devices that lost the hub together do
    /// not come back together.</summary>
    public static TimeSpan ReconnectDelay(int failures, LinkProfile profile, double random)
    {
        var ceiling = Math.Min(profile.ReconnectMaxMs, profile.ReconnectMinMs * Math.Pow(2, Math.Min(30, failures - 1)));
        return TimeSpan.FromMilliseconds(Math.Max(profile.ReconnectMinMs, ceiling * (0.5 + (random / 2))));
    }

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

            await DelayAsync(TimeSpan.FromSeconds(30), ct, wakeable: false);
        }

        return null;
    }

    /// <summary>MQTTnet pins both socket buffers to 8 KiB unless told otherwise. At that TCP window a firmware download
    /// spends its CPU on syscalls and acknowledgements rather than on bytes (docs/ota.md, Benchmark).</summary>
    internal const int SocketBufferBytes = 256 * 1024;

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

    /// <summary>While connected: status when due, then queued events, then spooled telemetry, oldest first.</summary>
    private async Task PumpAsync(IMqttClient client, DeviceIdentity id, CancellationToken ct)
    {
        var statusEvery = TimeSpan.FromSeconds(Math.Max(1, _profile.StatusIntervalSeconds));
        var lastStatus = long.MinValue;
        while (client.IsConnected && !ct.IsCancellationRequested)
        {
            var busy = false;
            if (_statusDirty || lastStatus == long.MinValue || TimeProvider.System.GetElapsedTime(lastStatus) >= statusEvery)
            {
                _statusDirty = false;
                if (!await PublishAsync(client, StatusMessageFor(id, online: true), ct))
                {
                    _statusDirty = true;
                    continue;
                }

                lastStatus = TimeProvider.System.GetTimestamp();
            }

            if (_events.Reader.TryPeek(out var ev))
            {
                if (await PublishAsync(client, Message(Topics.Events(id.Serial), FleetJson.Serialize(ev)), ct))
                {
                    _events.Reader.TryRead(out _);
                }

                busy = true;
            }
            else if (_spool.TryPeekOldest(out var seq, out var payload))
            {
                if (await PublishAsync(client, Message(Topics.Telemetry(id.Serial), payload), ct))
                {
                    _spool.Remove(seq);
                }

                busy = true;
            }

            if (!busy)
            {
                await DelayAsync(TimeSpan.FromSeconds(1), ct, wakeable: true);
            }
        }
    }

    private async Task<bool> PublishAsync(IMqttClient client, MqttApplicationMessage message, CancellationToken ct)
    {
        try
        {
            var result = await client.PublishAsync(message, ct);
            if (!result.IsSuccess)
            {
                _logger.LogWarning("Hub refused {Topic}: {Reason} {Detail}", message.Topic, result.ReasonCode, result.ReasonString);
                // Back off so a refused message does not spin; it stays queued.
                await DelayAsync(TimeSpan.FromSeconds(5), ct, wakeable: false);
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

    private MqttApplicationMessage StatusMessageFor(DeviceIdentity id, bool online)
    {
        var status = online
            ? new StatusMessage(true, _firmware.Current, _firmware.ActiveSlot, TankStateNames.Of(_tank.State),
                (long)TimeProvider.System.GetElapsedTime(_started).TotalSeconds, _clock.GetUtcNow(), _firmware.Trust, id.HubAnchors.Fingerprint)
            : StatusMessage.Offline(_clock.GetUtcNow());
        return new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Status(id.Serial))
            .WithPayload(FleetJson.Serialize(status))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build();
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (_identity is not { } id || !Topics.TryParse(e.ApplicationMessage.Topic, out var serial, out var kind) || serial != id.Serial)
        {
            return;
        }

        var payload = System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload);
        if (kind == Topics.CommandKind)
        {
            await HandleCommandAsync(id, e.ApplicationMessage, payload);
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

    private async Task HandleCommandAsync(DeviceIdentity id, MqttApplicationMessage message, byte[] payload)
    {
        var command = FleetJson.TryDeserialize<DeviceCommand>(payload);
        CommandResponse response;
        if (command is null || string.IsNullOrEmpty(command.Name))
        {
            response = new CommandResponse(false, "malformed_command", "the payload is not a DeviceCommand JSON object ({\"name\":...,\"args\":...})");
        }
        else if (!_handlers.TryGetValue(command.Name, out var handler))
        {
            response = new CommandResponse(false, "unknown_command",
                $"no handler for '{command.Name}'; this agent handles: {string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))}");
        }
        else
        {
            try
            {
                response = await handler.HandleAsync(command, _stopping);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogError(ex, "Command {Command} failed", command.Name);
                response = new CommandResponse(false, "handler_failed", ex.Message);
            }
        }

        if (response.Detail is { Length: > InboundLimits.MaxResponseDetailLength } detail)
        {
            // The hub drops a response over the protocol's limit whole (docs/protocol.md): send the start of it instead.
            response = response with { Detail = string.Concat(detail.AsSpan(0, InboundLimits.MaxResponseDetailLength - 1), "…") };
        }

        _logger.LogInformation("Command {Command}: {Result}", command?.Name ?? "(malformed)", response.Ok ? "ok" : response.Error);
        if (response.Ok)
        {
            // A command may change what the status reports (trust versions, the pinned hub anchor, maintenance):
            // the hub learns it from the next status, which goes out now rather than at the next interval.
            _statusDirty = true;
            Wake();
        }

        _events.Publish(new DeviceEvent(EventKinds.Command, command?.Name ?? "malformed", _clock.GetUtcNow(),
            Detail: response.Ok ? "ok" : response.Error, Reason: response.Ok ? null : response.Detail));

        var responseTopic = message.ResponseTopic;
        if (string.IsNullOrEmpty(responseTopic))
        {
            return;
        }

        if (!Topics.BelongsTo(responseTopic, id.Serial))
        {
            // The broker would refuse it anyway; answering outside our subtree is never right.
            _logger.LogWarning("Command response topic {Topic} is outside this device's subtree; not answered", responseTopic);
            return;
        }

        var answer = new MqttApplicationMessageBuilder()
            .WithTopic(responseTopic)
            .WithPayload(FleetJson.Serialize(response))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithCorrelationData(message.CorrelationData ?? [])
            .Build();
        if (_client is { } client)
        {
            await PublishAsync(client, answer, _stopping);
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken ct, bool wakeable)
    {
        try
        {
            if (wakeable)
            {
                await _wake.WaitAsync(delay, ct);
            }
            else
            {
                await Task.Delay(delay, ct);
            }
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
