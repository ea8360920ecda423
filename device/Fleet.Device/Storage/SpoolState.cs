namespace Fleet.Device.Storage;

/// <summary><c>ROOT/spool/state.json</c>: the next telemetry sequence number and how many readings the full
/// spool has dropped so far (cumulative, reported in every <see cref="Fleet.Protocol.Messages.TelemetryBatch.Dropped"/>).</summary>
public sealed record SpoolState(long NextSequence, long Dropped);
