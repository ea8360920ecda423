using System.Collections.Concurrent;
using Fleet.Hub.Hosting;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;

namespace Fleet.Hub.Devices;

/// <summary>What the hub does with a device message that failed validation: count it by reason, and tell the
/// operator on the device's page. The page entry is written at most once a minute per device and reason, so a
/// device sending junk in a loop cannot turn each message into a database write.</summary>
internal sealed class DroppedMessages(DeviceRegistry registry, TimeProvider clock, ILogger<DroppedMessages> log)
{
    private static readonly TimeSpan NoticeInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Serial, string Reason), DateTimeOffset> _lastNotice = new();

    /// <summary>The message as <typeparamref name="T"/> when it parses and passes <paramref name="check"/>; otherwise
    /// null, and the drop is counted and noted. Every inbound handler takes a device message through here.</summary>
    public async Task<T?> AcceptAsync<T>(InboundMessage message, Func<T?, InboundCheck> check, CancellationToken ct)
        where T : class
    {
        var parsed = FleetJson.TryDeserialize<T>(message.Payload.Span);
        var verdict = parsed is null
            ? InboundCheck.Refuse(InboundValidator.Malformed, $"a '{message.Kind}' message that is not JSON of its shape (see docs/protocol.md)")
            : check(parsed);
        if (verdict.IsValid)
        {
            return parsed;
        }

        await ReportAsync(message.Serial, message.Kind, verdict, ct);
        return null;
    }

    public async Task ReportAsync(string serial, string kind, InboundCheck check, CancellationToken ct)
    {
        var reason = check.Reason ?? "invalid";
        HubMetrics.MessagesDropped.WithLabels(reason).Inc();
        var now = clock.GetUtcNow();
        var key = (serial, reason);
        if (_lastNotice.TryGetValue(key, out var last) && now - last < NoticeInterval)
        {
            return;
        }

        _lastNotice[key] = now;
        log.LogWarning("Dropped a {Kind} message from {Serial}: {Message}", kind, serial, check.Message);
        await registry.RecordEventAsync(serial, new DeviceEvent(EventKinds.Protocol, reason, now, Detail: $"{kind}: {check.Message}"), ct);
    }
}
