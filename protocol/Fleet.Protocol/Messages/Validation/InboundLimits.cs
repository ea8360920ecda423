namespace Fleet.Protocol.Messages.Validation;

/// <summary>The limits of device→hub messages, published in docs/protocol.md and in the JSON Schemas under
/// protocol/schemas (a test keeps them equal). A device never needs more: the agent cuts telemetry into batches of at
/// most <see cref="MaxReadingsPerBatch"/>.</summary>
public static class InboundLimits
{
    public const int MaxReadingsPerBatch = 1000;
    public const int MaxSensorNameLength = 32;
    public const int MaxUnitLength = 16;
    public const int MaxEventTextLength = 1024;
    public const int MaxEventNameLength = 64;

    /// <summary>A firmware uuid as the manifest gives it (36 characters today), with room for another spelling.</summary>
    public const int MaxFirmwareUuidLength = 64;

    /// <summary>A SemVer 2.0 version with pre-release and build parts.</summary>
    public const int MaxFirmwareVersionLength = 128;

    /// <summary>Product, platform and architecture names in a status.</summary>
    public const int MaxFirmwareNameLength = 64;

    /// <summary>The error code of a command response (a failure name such as <c>BadSignature</c>).</summary>
    public const int MaxResponseErrorLength = 128;

    /// <summary>The human-readable detail of a command response.</summary>
    public const int MaxResponseDetailLength = 4096;

    /// <summary>Chunk indexes in one <c>fw/req</c>: the most a device may have in flight at once. The agent keeps 8.</summary>
    public const int MaxChunkIndexesPerRequest = 64;

    /// <summary>The correlation data a command carries (a 16-byte id) and its response must echo.</summary>
    public const int CorrelationDataLength = 16;

    /// <summary>Sensors in one health summary (the reference board has 8).</summary>
    public const int MaxHealthSensors = 32;

    /// <summary>The detail of one sensor's health verdict.</summary>
    public const int MaxHealthDetailLength = 256;

    /// <summary>The longest window a health summary may cover (31 days of tank time); alarm and fault time lie within it.</summary>
    public const double MaxHealthWindowSeconds = 31 * 86400;

    /// <summary>Largest water-temperature error (°C) and oxygen swing (mg/L) a health summary may report.</summary>
    public const double MaxHealthWaterTemperatureError = 100;
    public const double MaxHealthOxygenSwing = 100;

    /// <summary>Largest turbidity slope (NTU per hour, either sign).</summary>
    public const double MaxHealthTurbiditySlope = 100_000;

    /// <summary>Largest memory a health summary may report (1 TiB).</summary>
    public const long MaxHealthMemoryBytes = 1L << 40;

    /// <summary>The slots a status may name as active.</summary>
    public static readonly IReadOnlyList<string> Slots = ["a", "b"];

    /// <summary>The event kinds a device may send; <see cref="EventKinds.Protocol"/> is recorded by the hub only.</summary>
    public static readonly IReadOnlyList<string> DeviceEventKinds = [EventKinds.Tank, EventKinds.Sensor, EventKinds.Update, EventKinds.Command];

    /// <summary>Timestamps outside these years are a broken clock or a hostile device, not a reading.</summary>
    public static readonly DateTimeOffset EarliestTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LatestTimestamp = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
