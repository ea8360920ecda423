using Fleet.Hub.Hosting;

namespace Fleet.Hub.Devices;

/// <summary>Routes each device message to the handler for its kind. Malformed input is counted and dropped:
/// a device must never be able to crash the hub.</summary>
internal sealed class DeviceInbox(IEnumerable<IInboundHandler> handlers, DeviceChanges changes, ILogger<DeviceInbox> log)
{
    private readonly IInboundHandler[] _handlers = [.. handlers];

    /// <summary>Completes once the message is taken (the broker may hand over the next); acknowledge it to the device
    /// or broker only when <see cref="Handled.Stored"/> has completed. A message dropped (unknown kind, a handler's
    /// error) is done with at once: counted in <c>fleet_messages_dropped_total</c>, and never handed out again.</summary>
    public async Task<Handled> DeliverAsync(InboundMessage message, CancellationToken ct)
    {
        var handler = _handlers.FirstOrDefault(h => h.Handles(message.Kind));
        if (handler is null)
        {
            HubMetrics.MessagesDropped.WithLabels("unknown_kind").Inc();
            return Handled.Done;
        }

        HubMetrics.MessagesIn.WithLabels(message.Kind.Split('/')[0]).Inc();
        try
        {
            var handled = await handler.HandleAsync(message, ct);

            // The one place a device message is announced to live pages: once it is stored (telemetry is stored
            // later, in bulk, by the ingest's next drain). A chunk request changes nothing a page shows, and arrives
            // many times a second during a download.
            if (message.Kind != Fleet.Protocol.Topics.FirmwareRequestKind)
            {
                var (kind, serial) = (message.Kind, message.Serial);
                _ = handled.Stored.ContinueWith(_ => changes.Stored(kind, serial), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }

            return handled;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HubMetrics.MessagesDropped.WithLabels("handler_error").Inc();
            log.LogWarning(ex, "Dropped {Kind} from {Serial}", message.Kind, message.Serial);
            return Handled.Done;
        }
    }
}
