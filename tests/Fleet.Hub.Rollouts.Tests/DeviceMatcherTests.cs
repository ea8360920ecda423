namespace Fleet.Hub.Rollouts.Tests;

public sealed class DeviceMatcherTests
{
    private static readonly GroupTarget Group = new("g", "algae-tank", "u", "1.4.0", "rpi4", "arm64", ["beta", "eu"], TagMatch.All, ">=1.0.0 <1.4.0", false);

    private static DeviceSnapshot Device(string version, params string[] tags) =>
        new("t1", "algae-tank", "rpi4", "arm64", tags, "x", version, true, false, null);

    [Theory]
    [InlineData("1.2.0", TagMatch.All, new[] { "beta", "eu" }, true)]
    [InlineData("1.2.0", TagMatch.All, new[] { "beta" }, false)]
    [InlineData("1.2.0", TagMatch.Any, new[] { "beta" }, true)]
    [InlineData("1.2.0", TagMatch.Any, new[] { "us" }, false)]
    [InlineData("0.9.0", TagMatch.All, new[] { "beta", "eu" }, false)]
    [InlineData("1.4.0", TagMatch.All, new[] { "beta", "eu" }, false)]
    [InlineData("not-semver", TagMatch.All, new[] { "beta", "eu" }, false)]
    public void Tags_and_version_requirement_decide(string version, TagMatch match, string[] tags, bool expected) =>
        Assert.Equal(expected, DeviceMatcher.Matches(Group with { TagMatch = match }, Device(version, tags)));

    [Fact]
    public void Another_product_or_platform_never_matches()
    {
        Assert.False(DeviceMatcher.Matches(Group, Device("1.2.0", "beta", "eu") with { Product = "other" }));
        Assert.False(DeviceMatcher.Matches(Group, Device("1.2.0", "beta", "eu") with { Platform = "rpi3" }));
        Assert.False(DeviceMatcher.Matches(Group, Device("1.2.0", "beta", "eu") with { Platform = null }));
    }

    [Fact]
    public void No_requirement_and_no_tags_match_every_device_of_the_product() =>
        Assert.True(DeviceMatcher.Matches(Group with { Tags = [], VersionRequirement = null }, Device("0.1.0")));

    [Fact]
    public void A_device_that_has_not_reported_firmware_is_a_member_but_not_yet_eligible()
    {
        var group = Group with { VersionRequirement = null };
        var silent = Device("1.2.0", "beta", "eu") with { Platform = null, Architecture = null, FirmwareVersion = null };

        Assert.True(DeviceMatcher.IsMember(group, silent));
        Assert.False(DeviceMatcher.Matches(group, silent));
        Assert.False(DeviceMatcher.IsMember(Group, silent)); // a version requirement needs a reported version
    }
}
