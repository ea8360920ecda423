using Semver;

namespace Fleet.Hub.Rollouts;

/// <summary>The one rule for who a deployment group is about. A device is a <em>member</em> when its product and
/// tags (all or any) match and its current version meets the group's SemVer requirement (a device that has not
/// reported a version meets no requirement, but is a member of a group without one). It is <em>eligible</em> for
/// the group's rollout when, in addition, the firmware it runs is for the same platform and architecture and is
/// not newer than the group's: a device is never offered a downgrade.</summary>
public static class DeviceMatcher
{
    public static bool Matches(GroupTarget group, DeviceSnapshot device) => Mismatch(group, device) is null;

    public static bool IsMember(GroupTarget group, DeviceSnapshot device) => MembershipMismatch(group, device) is null;

    /// <summary>Why the device is outside the group, or null when it is a member.</summary>
    public static string? MembershipMismatch(GroupTarget group, DeviceSnapshot device)
    {
        if (!string.Equals(group.Product, device.Product, StringComparison.Ordinal))
        {
            return $"product {device.Product} is not {group.Product}";
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

        if (string.IsNullOrWhiteSpace(group.VersionRequirement))
        {
            return null;
        }

        if (!SemVersionRange.TryParseNpm(group.VersionRequirement, out var range))
        {
            return $"version requirement '{group.VersionRequirement}' is not a valid range";
        }

        if (!TryCurrent(device, out var current))
        {
            return "the device has not reported a valid version";
        }

        return range.Contains(current) ? null : $"version {current} does not satisfy {group.VersionRequirement}";
    }

    /// <summary>Why the device cannot take the group's firmware now, or null when the rollout may offer it.</summary>
    public static string? Mismatch(GroupTarget group, DeviceSnapshot device)
    {
        var membership = MembershipMismatch(group, device);
        if (membership is not null)
        {
            return membership;
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

        if (!TryCurrent(device, out var current))
        {
            return "the device has not reported a valid version";
        }

        if (SemVersion.TryParse(group.FirmwareVersion, SemVersionStyles.Strict, out var target)
            && current.ComparePrecedenceTo(target) > 0)
        {
            return $"runs {current}, newer than {target}";
        }

        return null;
    }

    private static bool TryCurrent(DeviceSnapshot device, out SemVersion current)
    {
        current = null!;
        return device.FirmwareVersion is not null
            && SemVersion.TryParse(device.FirmwareVersion, SemVersionStyles.Strict, out current!);
    }
}
