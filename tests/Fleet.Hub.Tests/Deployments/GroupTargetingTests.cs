using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;

namespace Fleet.Hub.Tests.Deployments;

public sealed class GroupTargetingTests
{
    private static DeploymentGroup Group(string match, string? requirement, params string[] tags) =>
        new() { Name = "g", ProductId = 1, TagMatch = match, Tags = [.. tags], VersionRequirement = requirement };

    private static Device Device(string? version, params string[] tags) =>
        new() { Serial = "d", ProductId = 1, CertificateFingerprint = "x", FirmwareVersion = version, Tags = [.. tags] };

    [Theory]
    [InlineData("all", new[] { "field", "eu" }, new[] { "field", "eu", "beta" }, true)]
    [InlineData("all", new[] { "field", "eu" }, new[] { "field" }, false)]
    [InlineData("any", new[] { "field", "eu" }, new[] { "eu" }, true)]
    [InlineData("any", new[] { "field", "eu" }, new[] { "lab" }, false)]
    [InlineData("all", new string[0], new[] { "lab" }, true)]
    public void Tags_select_devices_by_all_or_any(string match, string[] groupTags, string[] deviceTags, bool targeted) =>
        Assert.Equal(targeted, GroupTargeting.Targets(Group(match, null, groupTags), Device("1.0.0", deviceTags)));

    [Theory]
    [InlineData(">=1.2.0 <2.0.0", "1.4.2", true)]
    [InlineData(">=1.2.0 <2.0.0", "2.0.0", false)]
    [InlineData("^1.2", "1.1.9", false)]
    [InlineData(">=1.0.0", null, false)]
    [InlineData(null, null, true)]
    public void The_version_requirement_applies_to_the_devices_current_version(string? requirement, string? version, bool targeted) =>
        Assert.Equal(targeted, GroupTargeting.Targets(Group("all", requirement), Device(version)));

    [Fact]
    public void Revoked_devices_and_other_products_are_never_targeted()
    {
        var revoked = Device("1.0.0");
        revoked.Revoked = true;
        var other = Device("1.0.0");
        other.ProductId = 2;

        Assert.False(GroupTargeting.Targets(Group("all", null), revoked));
        Assert.False(GroupTargeting.Targets(Group("all", null), other));
    }
}
