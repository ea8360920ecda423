using Semver;

namespace Fleet.Hub.Rollouts;

/// <summary>Does a device belong to a group's rollout? Product, platform and architecture of what it runs,
/// its tags (all or any), and the SemVer requirement on its current version. A device already on a newer
/// version is never offered the older one.</summary>
public static class DeviceMatcher
{
    public static bool Matches(GroupTarget group, DeviceSnapshot device) => Mismatch(group, device) is null;

    /// <summary>Why the device is outside the group, or null when it is in.</summary>
    public static string? Mismatch(GroupTarget group, DeviceSnapshot device)
    {
        if (!string.Equals(group.Product, device.Product, StringComparison.Ordinal))
        {
            return $"product {device.Product} is not {group.Product}";
        }

        if (device.Platform is null || device.Architecture is null)
        {
            return "the device has not reported its platform yet";
        }

        if (!string.Equals(group.Platform, device.Platform, StringComparison.Ordinal)
            || !string.Equals(group.Architecture, device.Architecture, StringComparison.Ordinal))
        {
            return $"runs {device.Platform}/{device.Architecture}, firmware is for {group.Platform}/{group.Architecture}";
        }

        if (group.Tags.Count > 0)
        {
            var tagged = group.TagMatch == TagMatch.All
                ? group.Tags.All(t => device.Tags.Contains(t, StringComparer.Ordinal))
                : group.Tags.Any(t => device.Tags.Contains(t, StringComparer.Ordinal));
            if (!tagged)
            {
                return $"tags do not match ({group.TagMatch.ToString().ToLowerInvariant()} of {string.Join(", ", group.Tags)})";
            }
        }

        if (device.FirmwareVersion is null || !SemVersion.TryParse(device.FirmwareVersion, SemVersionStyles.Strict, out var current))
        {
            return "the device has not reported a valid version";
        }

        if (!string.IsNullOrWhiteSpace(group.VersionRequirement))
        {
            if (!SemVersionRange.TryParseNpm(group.VersionRequirement, out var range))
            {
                return $"version requirement '{group.VersionRequirement}' is not a valid range";
            }

            if (!range.Contains(current))
            {
                return $"version {current} does not satisfy {group.VersionRequirement}";
            }
        }

        if (SemVersion.TryParse(group.FirmwareVersion, SemVersionStyles.Strict, out var target)
            && current.ComparePrecedenceTo(target) > 0)
        {
            return $"runs {current}, newer than {target}";
        }

        return null;
    }
}
