using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Protocol.Trust;

namespace Fleet.Hub.Deployments;

/// <summary>What a group's release must be allowed to reach: every device the group's targeting could ever select
/// (with tag match <c>all</c> such a device has all the group's tags; with <c>any</c>, perhaps only one of them, so
/// each tag alone must be covered), and each device it selects now. A key scoped to the group covers all of these;
/// a tag-scoped key covers them only while the group cannot reach beyond its tag.</summary>
internal static class GroupReleaseTargets
{
    /// <summary>Stands in for the serial of a device that is not (yet) a member; no device scope matches it.</summary>
    public const string AnyMember = "(any member)";

    public static IEnumerable<ReleaseTarget> For(DeploymentGroup group, string product, FirmwareRecord firmware, IEnumerable<Device> members)
    {
        IEnumerable<IReadOnlyList<string>> tagSets = group.TagMatch == TagMatch.Any && group.Tags.Count > 0
            ? group.Tags.Select(t => (IReadOnlyList<string>)[t])
            : [group.Tags];
        foreach (var tags in tagSets)
        {
            var reach = tags.Count == 0 ? "any device of the product" : $"a device tagged {string.Join(", ", tags)}";
            yield return new ReleaseTarget(new FirmwareScope(product, firmware.Version, AnyMember, group.Name, tags), $"group '{group.Name}', which can reach {reach}");
        }

        foreach (var device in members)
        {
            yield return Device(product, firmware, device, group.Name);
        }
    }

    public static ReleaseTarget Device(string product, FirmwareRecord firmware, Device device, string? group) => new(
        new FirmwareScope(product, firmware.Version, device.Serial, group, device.Tags),
        group is null ? $"device {device.Serial}" : $"device {device.Serial} in group '{group}'");
}
