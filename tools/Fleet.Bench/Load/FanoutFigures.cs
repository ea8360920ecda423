namespace Fleet.Bench.Load;

/// <summary>What <see cref="FanoutPhase"/> measured in one broker mode.</summary>
internal sealed record FanoutFigures(
    int Devices,
    int Committed,
    int ExtraAttempts,
    int Failures,
    double Seconds,
    double LastDeviceSeconds,
    long BytesVerified,
    int CorruptChunks,
    double HubPeakRssMib,
    double BrokerPeakRssMib,
    double HubCpuSeconds,
    double BrokerCpuSeconds,
    double BenchCpuSeconds)
{
    public static FanoutFigures None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Aggregate MB/s (10^6 bytes) of verified payload, over the time until the hub counted all committed.</summary>
    public double MegabytesPerSecond => Seconds == 0 ? 0 : BytesVerified / Seconds / 1e6;
}
