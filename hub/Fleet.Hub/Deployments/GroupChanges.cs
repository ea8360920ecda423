namespace Fleet.Hub.Deployments;

/// <summary>A group as created, or the fields an update changes (null = unchanged; an empty
/// <see cref="Window"/> or <see cref="VersionRequirement"/> removes it).</summary>
internal sealed record GroupChanges(
    string? Firmware = null,
    IReadOnlyList<string>? Tags = null,
    string? TagMatch = null,
    string? VersionRequirement = null,
    int? MaxConcurrent = null,
    int? FailureThresholdPercent = null,
    bool? Paused = null,
    int? SoakSeconds = null,
    int? QuarantineAfter = null,
    string? Window = null);
