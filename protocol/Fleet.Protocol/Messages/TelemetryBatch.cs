namespace Fleet.Protocol.Messages;

/// <summary>Published at QoS 1 on <c>telemetry</c>. <see cref="Sequence"/> increases per device and lets the hub
/// drop a batch it has already stored (QoS 1 may deliver twice).</summary>
public sealed record TelemetryBatch(long Sequence, IReadOnlyList<Reading> Readings, long Dropped = 0);
