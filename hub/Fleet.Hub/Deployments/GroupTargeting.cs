using Fleet.Hub.Devices;
using Semver;

namespace Fleet.Hub.Deployments;

/// <summary>Which devices a group targets: same product, tags matching (all or any; no tags = every device),
/// and a current version meeting the group's requirement (npm-style range, e.g. <c>&gt;=1.2.0 &lt;2.0.0</c>).
/// A device that has not reported a version does not meet a requirement.</summary>
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

    public static bool Targets(DeploymentGroup group, Device device)
    {
        if (device.ProductId != group.ProductId || device.Revoked)
        {
            return false;
        }

        var tagsOk = group.Tags.Count == 0
            || (group.TagMatch == TagMatch.Any ? group.Tags.Any(device.Tags.Contains) : group.Tags.All(device.Tags.Contains));
        if (!tagsOk)
        {
            return false;
        }

        if (!TryParseRequirement(group.VersionRequirement, out var range) || range is null)
        {
            return range is null && string.IsNullOrWhiteSpace(group.VersionRequirement);
        }

        return device.FirmwareVersion is not null
            && SemVersion.TryParse(device.FirmwareVersion, SemVersionStyles.Strict, out var version)
            && range.Contains(version);
    }
}
