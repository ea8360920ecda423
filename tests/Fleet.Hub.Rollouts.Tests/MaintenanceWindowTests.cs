namespace Fleet.Hub.Rollouts.Tests;

/// <summary>A group's maintenance window: new offers start only inside it (a fake clock moves through the day),
/// what is in flight goes on, and the window follows its zone's daylight saving time.</summary>
public sealed class MaintenanceWindowTests
{
    private static readonly MaintenanceWindow Berlin = MaintenanceWindow.Parse("02:00-05:00 Europe/Berlin", out _)!;

    private static readonly GroupTarget Group = new("beta", "algae-tank", "new-uuid", "1.0.1", "sim", "x64", [], TagMatch.All, null, Paused: false, Berlin);

    private static DeviceSnapshot Device(string serial) => new(serial, "algae-tank", "sim", "x64", [], "old-uuid", "1.0.0", true, false, null);

    [Theory]
    [InlineData("2026-12-03T00:59:00Z", false)] // 01:59 in Berlin (CET, UTC+1)
    [InlineData("2026-12-03T01:00:00Z", true)] // 02:00
    [InlineData("2026-12-03T03:59:00Z", true)] // 04:59
    [InlineData("2026-12-03T04:00:00Z", false)] // 05:00: the end is outside
    [InlineData("2026-07-03T00:30:00Z", true)] // 02:30 in summer (CEST, UTC+2)
    [InlineData("2026-07-03T03:30:00Z", false)] // 05:30 in summer
    public void No_offer_starts_outside_the_window_and_offers_start_when_it_opens(string utc, bool starts)
    {
        var now = DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);

        var plan = RolloutPlanner.Plan(Group, RolloutPolicy.Default, [Device("t1"), Device("t2")], [], now);

        Assert.Equal(starts ? 2 : 0, plan.OfType<RolloutDecision.StartUpdate>().Count());
    }

    [Fact]
    public void An_update_in_flight_when_the_window_closes_is_not_cancelled_and_still_times_out()
    {
        var closed = DateTimeOffset.Parse("2026-12-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var running = new Attempt("t1", "new-uuid", AttemptState.InFlight, closed.AddMinutes(-10), closed.AddMinutes(-10));
        var stale = new Attempt("t2", "new-uuid", AttemptState.InFlight, closed.AddHours(-2), closed.AddHours(-2));

        var plan = RolloutPlanner.Plan(Group, RolloutPolicy.Default with { FailureThresholdPercent = 100, MinimumFinished = 5 }, [Device("t1"), Device("t2"), Device("t3")], [running, stale], closed);

        Assert.Equal([new RolloutDecision.ExpireAttempt("t2", "no progress for 30 min")], plan);
    }

    [Fact]
    public void A_window_over_midnight_is_open_on_both_sides_of_it()
    {
        var night = MaintenanceWindow.Parse("22:00-02:00 UTC", out _)!;

        Assert.True(night.IsOpen(new DateTimeOffset(2026, 12, 3, 23, 0, 0, TimeSpan.Zero)));
        Assert.True(night.IsOpen(new DateTimeOffset(2026, 12, 4, 1, 59, 0, TimeSpan.Zero)));
        Assert.False(night.IsOpen(new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero)));
        Assert.False(night.IsOpen(new DateTimeOffset(2026, 12, 3, 21, 59, 0, TimeSpan.Zero)));
        Assert.Equal("22:00-02:00 UTC", night.ToString());
    }

    [Theory]
    [InlineData("2-5 Europe/Berlin", "is not HH:MM-HH:MM ZONE")]
    [InlineData("02:00-05:00", "is not HH:MM-HH:MM ZONE")]
    [InlineData("02:00-02:00 UTC", "is empty")]
    [InlineData("02:00-05:00 Mars/Olympus", "is not an IANA time zone")]
    [InlineData("25:00-05:00 UTC", "is not HH:MM-HH:MM ZONE")]
    public void A_malformed_window_is_refused_with_what_is_wrong(string text, string message)
    {
        Assert.Null(MaintenanceWindow.Parse(text, out var error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void The_next_opening_is_the_start_in_its_zone_and_now_while_open()
    {
        var before = DateTimeOffset.Parse("2026-12-03T00:30:00Z", System.Globalization.CultureInfo.InvariantCulture); // 01:30 in Berlin
        var inside = DateTimeOffset.Parse("2026-12-03T01:30:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var after = DateTimeOffset.Parse("2026-07-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture); // summer, 14:00 in Berlin

        Assert.Equal(DateTimeOffset.Parse("2026-12-03T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture), Berlin.NextOpen(before));
        Assert.Equal(inside, Berlin.NextOpen(inside));
        Assert.Equal(DateTimeOffset.Parse("2026-07-04T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), Berlin.NextOpen(after));
    }

    [Fact]
    public void The_closed_window_a_hub_uses_for_an_unreadable_stored_one_never_opens_so_nothing_starts()
    {
        var group = Group with { Window = MaintenanceWindow.Closed };
        var noon = DateTimeOffset.Parse("2026-12-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Null(MaintenanceWindow.Closed.NextOpen(noon));
        Assert.Empty(RolloutPlanner.Plan(group, RolloutPolicy.Default, [Device("t1")], [], noon));
        Assert.Empty(RolloutPlanner.Plan(group, RolloutPolicy.Default, [Device("t1")], [], noon.AddHours(14)));
    }
}
