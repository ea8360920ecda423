namespace Fleet.Hub.Api;

internal sealed record UpdateDeploymentRequest(
    string? Firmware, IReadOnlyList<string>? Tags, string? TagMatch, string? VersionRequirement,
    int? MaxConcurrent, int? FailureThresholdPercent, bool? Paused, int? SoakSeconds = null, int? QuarantineAfter = null, string? Window = null);
