using Fleet.Hub.Deployments;

namespace Fleet.Hub.Api;

internal sealed record DeploymentView(
    string Name, string Product, string FirmwareUuid, string FirmwareVersion, IReadOnlyList<string> Tags, string TagMatch,
    string? VersionRequirement, int MaxConcurrent, int FailureThresholdPercent, bool Paused, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<ReleaseView> Releases, int SoakSeconds, int QuarantineAfter, string? Window)
{
    public static DeploymentView Of(DeploymentGroup g) => new(
        g.Name, g.Product?.Name ?? "", g.Firmware?.Uuid ?? "", g.Firmware?.Version ?? "", g.Tags, g.TagMatch, g.VersionRequirement,
        g.MaxConcurrent, g.FailureThresholdPercent, g.Paused, g.CreatedAt, g.UpdatedAt,
        [.. g.Releases.Select(r => new ReleaseView(r.Firmware?.Uuid ?? "", r.Firmware?.Version ?? "", r.Actor, r.CreatedAt))], g.SoakSeconds, g.QuarantineAfter, g.MaintenanceWindow);
}
