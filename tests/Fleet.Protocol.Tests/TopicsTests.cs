using Fleet.Protocol;

namespace Fleet.Protocol.Tests;

public sealed class TopicsTests
{
    [Theory]
    [InlineData("fleet/v1/tank-1/status", "tank-1", "status")]
    [InlineData("fleet/v1/tank-1/fw/chunk/abc", "tank-1", "fw/chunk/abc")]
    public void Parses_device_topics(string topic, string serial, string kind)
    {
        Assert.True(Topics.TryParse(topic, out var s, out var k));
        Assert.Equal(serial, s);
        Assert.Equal(kind, k);
    }

    [Theory]
    [InlineData("fleet/v2/tank-1/status")]
    [InlineData("fleet/v1/+/status")]
    [InlineData("fleet/v1//status")]
    [InlineData("fleet/v1/tank-1/")]
    public void Refuses_topics_outside_the_tree(string topic) => Assert.False(Topics.TryParse(topic, out _, out _));

    [Theory]
    [InlineData("fleet/v1/tank-1/#", true)]
    [InlineData("fleet/v1/tank-1/status", true)]
    [InlineData("fleet/v1/tank-2/status", false)]
    [InlineData("fleet/v1/#", false)]
    [InlineData("fleet/v1/tank-1", false)]
    [InlineData("#", false)]
    public void A_device_owns_only_its_subtree(string filter, bool allowed) =>
        Assert.Equal(allowed, Topics.BelongsTo(filter, "tank-1"));
}
