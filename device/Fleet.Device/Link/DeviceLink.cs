using Fleet.Device.Commands;
using Fleet.Device.Configuration;
using Fleet.Device.Storage;
using Fleet.Device.Tank;
using Fleet.Device.Update;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Device.Link;

/// <summary>The device's link to the hub, as the agent hosts it: the hub connection (<see cref="HubConnection"/>:
/// MQTT 5 over mutual TLS against the pinned anchor, last will, reconnect with jittered backoff), the outbound pump
/// (<see cref="OutboundPump"/>: status, events and the telemetry spool while connected) and the command dispatch
/// (<see cref="CommandDispatcher"/>: <c>cmd</c> messages to <see cref="ICommandHandler"/>s, answered on the MQTT 5
/// response topic).</summary>
public sealed class DeviceLink : BackgroundService, IDeviceLink
{
    private readonly HubConnection _connection;
    private readonly OutboundPump _pump;
    private readonly CommandDispatcher _commands;

    public DeviceLink(DeviceRoot root, AgentProfile profile, TelemetrySpool spool, EventOutbox events, TankController tank,
        IFirmwareInfo firmware, IEnumerable<ICommandHandler> handlers, TimeProvider clock, HubAnchorPin anchors, ILogger<DeviceLink> logger)
    {
        _pump = new OutboundPump(profile.Link, spool, events, tank, firmware, anchors, clock);
        _connection = new HubConnection(root, profile.Link, clock, anchors, logger);
        _commands = new CommandDispatcher(handlers, events, clock, logger);
        _connection.Connected += _pump.StatusChanged;
        _connection.Disconnected += _pump.Wake;
        _connection.CommandReceived = (id, message, payload) => _commands.DispatchAsync(_connection, id, message, payload);
        _commands.Succeeded += _pump.StatusChanged;
    }

    public event Action? Connected
    {
        add => _connection.Connected += value;
        remove => _connection.Connected -= value;
    }

    public string? Serial => _connection.Identity?.Serial;

    public bool IsConnected => _connection.IsConnected;

    /// <summary>Why the link is not running, when it is not (named failure for logs and tests).</summary>
    public ProvisioningProblem Problem => _connection.Problem;

    public int ConnectAttempts => _connection.ConnectAttempts;

    public void Subscribe(string kindFilter, Func<InboundMessage, CancellationToken, Task> handler) => _connection.Subscribe(kindFilter, handler);

    public Task<bool> PublishAsync(string kind, byte[] payload, bool atLeastOnce = true, bool retain = false,
        IReadOnlyDictionary<string, string>? userProperties = null, CancellationToken ct = default) =>
        _connection.PublishAsync(kind, payload, atLeastOnce, retain, userProperties, ct);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A clean shutdown sends no last will, so say "offline" ourselves.
        await _connection.CloseAsync(id => _pump.Status(id, online: false), cancellationToken);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _connection.Dispose();
        _pump.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _connection.RunAsync((client, id, ct) => _pump.RunAsync(_connection, client, id, ct), stoppingToken);
}
