using Fleet.Hub.Devices;
using Fleet.Hub.Rollouts;
using Semver;

namespace Fleet.Hub.Deployments;

/// <summary>Adapts hub entities to the one matching rule, <see cref="DeviceMatcher"/> (product, platform and
/// architecture, tags all/any, SemVer requirement on the current version, never an older version). The orchestrator
/// and the member listing both go through here.</summary>
internal static class GroupTargeting
{
    public static bool TryParseRequirement(string? requirement, out SemVersionRange? range)
    {
        range = null;
        if (string.IsNullOrWhiteSpace(requirement))
        {
            return true;
        }

        if (SemVersionRange.TryParseNpm(requirement, out var parsed))
        {
            range = parsed;
            return true;
        }

        return false;
    }

    /// <summary>Membership for listing (product, tags, version requirement). Platform, architecture and
    /// anti-downgrade decide eligibility for a rollout, which the orchestrator checks.</summary>
    public static bool Targets(DeploymentGroup group, Device device) => Targets(group, device, group.Product?.Name ?? "");

    public static bool Targets(DeploymentGroup group, Device device, string product)
    {
        if (device.ProductId != group.ProductId || device.Revoked)
        {
            return false;
        }

        var target = Target(group, product, paused: false);
        return DeviceMatcher.IsMember(target, Snapshot(device, target.Product, device.Platform, device.Architecture));
    }

    public static GroupTarget Target(DeploymentGroup group, string product, bool paused) => new(
        group.Name,
        product,
        group.Firmware?.Uuid ?? "",
        group.Firmware?.Version ?? "",
        group.Firmware?.Platform ?? "",
        group.Firmware?.Architecture ?? "",
        group.Tags,
        group.TagMatch == TagMatch.Any ? Rollouts.TagMatch.Any : Rollouts.TagMatch.All,
        group.VersionRequirement,
        paused,
        Window(group),
        Quarantined: group.Firmware?.QuarantinedAt is not null);

    /// <summary>The group's stored window (validated when saved); a value that no longer parses (its zone vanished from
    /// the system's zone database) closes the group rather than opening it at all hours.</summary>
    public static MaintenanceWindow? Window(DeploymentGroup group) =>
        group.MaintenanceWindow is not { Length: > 0 } text ? null
        : MaintenanceWindow.Parse(text, out _) ?? MaintenanceWindow.Closed;

    public static DeviceSnapshot Snapshot(Device device, string product, string? platform, string? architecture) => new(
        device.Serial,
        product,
        platform,
        architecture,
        device.Tags,
        device.FirmwareUuid,
        device.FirmwareVersion,
        device.Online,
        device.Revoked,
        device.PenaltyUntil);
}
