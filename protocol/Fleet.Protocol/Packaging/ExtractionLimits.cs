namespace Fleet.Protocol.Packaging;

/// <summary>Bounds on what a payload tar may unpack to, checked against declared sizes before writing.</summary>
public sealed record ExtractionLimits
{
    public static readonly ExtractionLimits Default = new();

    public long MaxTotalBytes { get; init; } = 8L * 1024 * 1024 * 1024;

    public long MaxFileBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    public int MaxEntries { get; init; } = 100_000;

    public int MaxPathLength { get; init; } = 1024;
}
