using Fleet.Hub.Hosting;
using Fleet.Hub.Rollouts;
using Fleet.Protocol;
using Fleet.Protocol.Messages;

namespace Fleet.Hub.Devices;

/// <summary>status (presence, reported firmware and slot), events, and command responses.</summary>
internal sealed class DeviceStateHandlers(DeviceRegistry registry, DeviceCommands commands, RolloutLedger rollouts, IEnumerable<IDeviceStatusListener> statusListeners) : IInboundHandler
{
    private readonly IDeviceStatusListener[] _statusListeners = [.. statusListeners];

    public bool Handles(string kind) => kind is Topics.StatusKind or Topics.EventsKind or Topics.ResponseKind;

    public async Task HandleAsync(InboundMessage message, CancellationToken ct)
    {
        switch (message.Kind)
        {
            case Topics.StatusKind when FleetJson.TryDeserialize<StatusMessage>(message.Payload.Span) is { } status:
                await registry.ReportStatusAsync(message.Serial, status, ct);
                await rollouts.OnStatusAsync(message.Serial, status, ct);
                foreach (var listener in _statusListeners)
                {
                    await listener.OnStatusAsync(message.Serial, status, ct);
                }

                break;
            case Topics.EventsKind when FleetJson.TryDeserialize<DeviceEvent>(message.Payload.Span) is { } e:
                await registry.RecordEventAsync(message.Serial, e, ct);
                if (e.Kind == EventKinds.Update)
                {
                    await rollouts.OnUpdateEventAsync(message.Serial, e, ct);
                }
                break;
            case Topics.ResponseKind when FleetJson.TryDeserialize<CommandResponse>(message.Payload.Span) is { } response:
                await commands.CompleteAsync(message.Serial, message.Correlation, response, ct);
                break;
            default:
                HubMetrics.MessagesDropped.WithLabels("malformed").Inc();
                break;
        }
    }
}
