using System.Collections.Concurrent;
using System.Text.Json;
using Fleet.Hub.Audit;
using Fleet.Hub.Pki;
using Fleet.Protocol.Messages;

namespace Fleet.Hub.Devices;

/// <summary>Sends the <c>hub-anchor</c> command (the hub's own TLS anchor and its endorsement by the anchor the tank
/// pins now) to a connected tank whose status reports pinning another anchor. Tanks check it themselves
/// (<see cref="Fleet.Protocol.Tls.HubAnchorEndorsement"/>); one that refuses is not asked again until it reconnects.
/// Agents that do not report their anchor are never sent it (they would not know the command).</summary>
internal sealed class HubAnchorDelivery(HubPki pki, DeviceCommands commands, HubTlsIdentity identity, ILogger<HubAnchorDelivery> log) : IDeviceStatusListener
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, bool> _asked = new(StringComparer.Ordinal);

    public Task OnStatusAsync(string serial, StatusMessage status, CancellationToken ct)
    {
        if (!status.Online)
        {
            _asked.TryRemove(serial, out _);
            return Task.CompletedTask;
        }

        if (status.HubAnchor is null || status.HubAnchor == pki.HubAnchorFingerprint || pki.EndorsementPem is null)
        {
            return Task.CompletedTask;
        }

        if (_asked.TryAdd(serial, true))
        {
            _ = SendAsync(serial);
        }

        return Task.CompletedTask;
    }

    private async Task SendAsync(string serial)
    {
        try
        {
            var args = JsonSerializer.SerializeToElement(new HubAnchorUpdate(pki.HubAnchorPem, pki.EndorsementPem!), FleetJson.Default.HubAnchorUpdate);
            var answer = await commands.SendAsync(Actor.Hub, serial, new DeviceCommand(CommandNames.HubAnchor, args), AnswerTimeout, CancellationToken.None);
            if (!answer.Ok)
            {
                _asked.TryRemove(serial, out _);
                log.LogInformation("Hub anchor not delivered to {Serial}: {Reason}", serial, answer.Failure.Message);
            }
            else if (answer.Value.Ok)
            {
                // Its reply says it pins the anchor now; its next status says so too.
                await identity.RecordAsync(serial, pki.HubAnchorFingerprint, CancellationToken.None);
            }
            else
            {
                log.LogWarning("Device {Serial} refused the hub anchor {Fingerprint}: {Error}: {Detail}", serial, pki.HubAnchorFingerprint, answer.Value.Error, answer.Value.Detail);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _asked.TryRemove(serial, out _);
            log.LogWarning(ex, "Sending the hub anchor to {Serial} failed", serial);
        }
    }
}
