using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;

namespace Fleet.Hub.Devices;

/// <summary>status (presence, reported firmware and slot), events, and command responses. Each message passes
/// <see cref="InboundValidator"/> first; one that fails is dropped and counted by <see cref="DroppedMessages"/>.</summary>
internal sealed class DeviceStateHandlers(DeviceReports reports, DeviceCommands commands, DroppedMessages dropped) : IInboundHandler
{
    public bool Handles(string kind) => kind is Topics.StatusKind or Topics.EventsKind or Topics.ResponseKind;

    /// <summary>Each of these is written before this returns, so it is stored once handled.</summary>
    public async Task<Handled> HandleAsync(InboundMessage message, CancellationToken ct)
    {
        await (message.Kind switch
        {
            Topics.StatusKind => StatusAsync(message, ct),
            Topics.EventsKind => EventAsync(message, ct),
            _ => ResponseAsync(message, ct),
        });
        return Handled.Done;
    }

    private async Task StatusAsync(InboundMessage message, CancellationToken ct)
    {
        if (await dropped.AcceptAsync<StatusMessage>(message, InboundValidator.Check, ct) is not { } status)
        {
            return;
        }

        await reports.StatusAsync(message.Serial, status, ct);
    }

    private async Task EventAsync(InboundMessage message, CancellationToken ct)
    {
        if (await dropped.AcceptAsync<DeviceEvent>(message, InboundValidator.Check, ct) is not { } e)
        {
            return;
        }

        await reports.EventAsync(message.Serial, e, ct);
    }

    private async Task ResponseAsync(InboundMessage message, CancellationToken ct)
    {
        if (await dropped.AcceptAsync<CommandResponse>(message, r => InboundValidator.Check(r, message.Correlation?.Length), ct) is { } response)
        {
            await commands.CompleteAsync(message.Serial, message.Correlation, response, ct);
        }
    }
}
