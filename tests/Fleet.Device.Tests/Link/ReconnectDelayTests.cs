using Fleet.Device.Configuration;
using Fleet.Device.Link;

namespace Fleet.Device.Tests.Link;

public sealed class ReconnectDelayTests
{
    private static readonly LinkProfile Profile = new();

    [Theory]
    [InlineData(1, 0.0, 1000)]
    [InlineData(1, 0.999, 1000)]
    [InlineData(2, 0.0, 1000)]
    [InlineData(2, 0.999, 1999)]
    [InlineData(4, 0.0, 4000)]
    [InlineData(6, 0.0, 16000)]
    [InlineData(7, 0.0, 30000)]
    [InlineData(8, 0.0, 30000)]
    [InlineData(8, 0.999, 59970)]
    [InlineData(50, 0.999, 59970)]
    public void Backoff_doubles_from_1_s_to_60_s_with_jitter(int failures, double random, double expectedMs)
    {
        Assert.Equal(expectedMs, HubConnection.ReconnectDelay(failures, Profile, random).TotalMilliseconds, 0);
    }

    [Fact]
    public void Jitter_spreads_devices_that_fail_together()
    {
        var delays = new[] { 0.1, 0.5, 0.9 }.Select(r => HubConnection.ReconnectDelay(6, Profile, r)).Distinct().ToList();

        Assert.Equal(3, delays.Count);
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 1, 60));
    }
}
