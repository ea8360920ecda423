namespace Fleet.Protocol.Messages.Validation;

/// <summary>The limits of device→hub messages, published in docs/protocol.md. A device never needs more: the agent
/// cuts telemetry into batches of at most <see cref="MaxReadingsPerBatch"/>.</summary>
public static class InboundLimits
{
    public const int MaxReadingsPerBatch = 1000;
    public const int MaxSensorNameLength = 32;
    public const int MaxUnitLength = 16;
    public const int MaxEventTextLength = 1024;
    public const int MaxEventNameLength = 64;

    /// <summary>Timestamps outside these years are a broken clock or a hostile device, not a reading.</summary>
    public static readonly DateTimeOffset EarliestTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LatestTimestamp = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
