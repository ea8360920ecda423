namespace Fleet.Protocol;

/// <summary>What a device may publish, kind by kind: the largest message, whether it may be retained, and its
/// sustained rate and burst. Sized from the largest legitimate message (a telemetry batch of
/// <c>InboundLimits.MaxReadingsPerBatch</c> readings is under 150 KiB) and published in docs/protocol.md; the
/// embedded broker and the generated Mosquitto configuration enforce the same table.</summary>
public sealed record DeviceTopicLimits(string Kind, int MaxBytes, bool MayRetain, double PerSecond, int Burst)
{
    /// <summary>The largest MQTT packet a device may send: the largest payload plus room for the topic and properties.</summary>
    public const int MaxPacketBytes = (256 * 1024) + 4096;

    public static readonly IReadOnlyList<DeviceTopicLimits> All =
    [
        new(Topics.StatusKind, 4 * 1024, MayRetain: true, PerSecond: 2, Burst: 20),
        new(Topics.TelemetryKind, 256 * 1024, MayRetain: false, PerSecond: 20, Burst: 200),
        new(Topics.EventsKind, 8 * 1024, MayRetain: false, PerSecond: 10, Burst: 100),
        new(Topics.HealthKind, 8 * 1024, MayRetain: false, PerSecond: 1, Burst: 20),
        new(Topics.FirmwareRequestKind, 4 * 1024, MayRetain: false, PerSecond: 200, Burst: 1000),
        new(Topics.ResponseKind, 8 * 1024, MayRetain: false, PerSecond: 10, Burst: 50),
    ];

    public static DeviceTopicLimits? For(string kind) => All.FirstOrDefault(l => l.Kind == kind);

    /// <summary>Null when the message may be published; otherwise the reason name and a message.</summary>
    public static (string Reason, string Message)? Refusal(string kind, bool retain, int payloadBytes)
    {
        var limits = For(kind);
        if (limits is null)
        {
            return ("unknown_kind", $"'{kind}' is not a topic a device publishes; see docs/protocol.md");
        }

        if (retain && !limits.MayRetain)
        {
            return ("retain_refused", $"'{kind}' messages may not be retained; only status is");
        }

        return payloadBytes > limits.MaxBytes ? ("too_large", $"a '{kind}' message is at most {limits.MaxBytes} bytes; this one has {payloadBytes}") : null;
    }
}
