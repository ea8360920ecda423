using Fleet.Device.Link;
using Fleet.Device.Sensors;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Tls;

namespace Fleet.Device.Commands;

/// <summary><c>hub-anchor</c>: the hub's own TLS anchor, endorsed by the one this tank pins now. Pinned only when
/// <see cref="HubAnchorEndorsement"/> accepts it (<see cref="HubAnchorPin.Replace"/>); the outcome is a device event
/// either way, so the hub's device page shows where the migration stands.</summary>
internal sealed class HubAnchorCommandHandler(HubAnchorPin anchors, IDeviceEvents events) : ICommandHandler
{
    public string Name => CommandNames.HubAnchor;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct)
    {
        var update = CommandArgs.Read(command, FleetJson.Default.HubAnchorUpdate, "{\"anchorPem\":\"-----BEGIN CERTIFICATE-----…\",\"endorsementPem\":\"-----BEGIN CERTIFICATE-----…\"}", out var refusal);
        if (update is null)
        {
            return Task.FromResult(refusal!);
        }

        var now = TimeProvider.System.GetUtcNow();
        HubAnchorVerdict verdict;
        try
        {
            verdict = anchors.Replace(update, now);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            events.Publish(new DeviceEvent(EventKinds.Command, CommandNames.HubAnchor, now, Detail: $"refused: {ex.Message}", Reason: "Io"));
            return Task.FromResult(new CommandResponse(false, "Io", ex.Message));
        }

        if (verdict is not (HubAnchorVerdict.Accepted or HubAnchorVerdict.Unchanged))
        {
            var message = $"the hub anchor was not pinned: {verdict}";
            events.Publish(new DeviceEvent(EventKinds.Command, CommandNames.HubAnchor, now, Detail: $"refused: {message}", Reason: verdict.ToString()));
            return Task.FromResult(new CommandResponse(false, verdict.ToString(), message));
        }

        var detail = $"pinning hub anchor {anchors.Fingerprint}";
        events.Publish(new DeviceEvent(EventKinds.Command, CommandNames.HubAnchor, now, Detail: detail));
        return Task.FromResult(new CommandResponse(true, Detail: detail));
    }
}
