namespace Fleet.Hub.Rollouts.Tests;

/// <summary>The soak rule on synthetic facts: healthy and connected through the window passes; a bad summary fails at
/// once naming its signal; offline waits, then fails; a reconnect starts the window over, a few times at most; no health
/// at all fails.</summary>
public sealed class SoakJudgeTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Soak = TimeSpan.FromMinutes(30);
    private static readonly SoakLimits Limits = SoakLimits.Default with { OfflineLimit = TimeSpan.FromMinutes(10) };

    private static SoakHealth Healthy(TimeSpan after) => new(Start + after, "growing", 0, 0.1, 0.95, []);

    private static SoakFacts Facts(params SoakHealth[] health) => new(Start, Start + Soak, 0, true, Start.AddMinutes(-2), Start.AddMinutes(-1), health);

    [Fact]
    public void Connected_and_healthy_through_the_whole_window_passes_and_not_a_moment_before()
    {
        var facts = Facts(Healthy(TimeSpan.FromMinutes(1)), Healthy(TimeSpan.FromMinutes(20)));

        Assert.Equal(new SoakVerdict.Continue(), SoakJudge.Judge(facts, Soak, Limits, Start + Soak - TimeSpan.FromSeconds(1)));
        Assert.Equal(new SoakVerdict.Pass(), SoakJudge.Judge(facts, Soak, Limits, Start + Soak));
    }

    [Fact]
    public void A_stuck_sensor_fails_at_once_naming_the_sensor_and_its_state()
    {
        var stuck = Healthy(TimeSpan.FromMinutes(5)) with { SensorFaults = [new SoakSensor("water_temperature", "stuck", "24.00 °C for 12 samples")] };

        var verdict = Assert.IsType<SoakVerdict.Fail>(SoakJudge.Judge(Facts(Healthy(TimeSpan.FromMinutes(1)), stuck), Soak, Limits, Start.AddMinutes(6)));

        Assert.Equal(AttemptFailure.SensorFault, verdict.Kind);
        Assert.StartsWith("sensor fault: water_temperature stuck (24.00 °C for 12 samples)", verdict.Reason);
    }

    [Theory]
    [InlineData(2.5, 0.9, "growing", 0, "unhealthy: water_temperature_error 2.50 °C")]
    [InlineData(0.1, 0.2, "growing", 0, "unhealthy: ph_in_range 0.20")]
    [InlineData(0.1, 0.9, "fault", 40, "unhealthy: tank_state fault (40 s in fault)")]
    public void A_badly_held_tank_fails_naming_the_signal(double waterError, double ph, string tank, double faultSeconds, string reason)
    {
        var bad = new SoakHealth(Start.AddMinutes(3), tank, faultSeconds, waterError, ph, []);

        var verdict = Assert.IsType<SoakVerdict.Fail>(SoakJudge.Judge(Facts(bad), Soak, Limits, Start.AddMinutes(4)));

        Assert.Equal(AttemptFailure.Unhealthy, verdict.Kind);
        Assert.StartsWith(reason, verdict.Reason);
    }

    [Fact]
    public void Figures_within_the_limits_and_missing_figures_are_not_unhealthy()
    {
        Assert.Null(SoakJudge.Unhealthy(new SoakHealth(Start, "alarm", 0, Limits.MaxWaterTemperatureError, Limits.MinPhInRange, []), Limits));
        Assert.Null(SoakJudge.Unhealthy(new SoakHealth(Start, "growing", 0, null, null, []), Limits));
    }

    [Fact]
    public void A_summary_from_before_the_soak_is_not_held_against_it()
    {
        var before = new SoakHealth(Start.AddMinutes(-1), "fault", 100, 9, 0, [new SoakSensor("ph", "faulted", null)]);

        Assert.Equal(new SoakVerdict.Pass(), SoakJudge.Judge(Facts(before, Healthy(TimeSpan.FromMinutes(2))), Soak, Limits, Start + Soak));
    }

    [Fact]
    public void Offline_is_never_a_pass_it_waits_then_fails_after_the_offline_limit()
    {
        var gone = Start.AddMinutes(25);
        var facts = Facts(Healthy(TimeSpan.FromMinutes(1))) with { Online = false, LastDisconnectAt = gone };

        var waiting = Assert.IsType<SoakVerdict.Continue>(SoakJudge.Judge(facts, Soak, Limits, Start + Soak + TimeSpan.FromMinutes(1)));
        Assert.Contains("offline since 2026-12-03 12:25:00Z", waiting.Note);

        var failed = Assert.IsType<SoakVerdict.Fail>(SoakJudge.Judge(facts, Soak, Limits, gone + Limits.OfflineLimit));
        Assert.Equal(AttemptFailure.Offline, failed.Kind);
        Assert.Contains("offline during its soak since 2026-12-03 12:25:00Z", failed.Reason);
    }

    [Fact]
    public void A_reconnect_starts_the_window_over_and_too_many_fail_it()
    {
        var gone = Start.AddMinutes(10);
        var back = Start.AddMinutes(12);
        var facts = Facts(Healthy(TimeSpan.FromMinutes(1))) with { LastDisconnectAt = gone, LastConnectAt = back };

        var restart = Assert.IsType<SoakVerdict.Restart>(SoakJudge.Judge(facts, Soak, Limits, Start.AddMinutes(13)));
        Assert.Equal(back + Soak, restart.Until);

        // The next pass sees the new window, which began after that disconnect: no second restart for it.
        var moved = facts with { Until = restart.Until, Restarts = 1 };
        Assert.Equal(new SoakVerdict.Continue(), SoakJudge.Judge(moved, Soak, Limits, Start + Soak));
        Assert.Equal(new SoakVerdict.Pass(), SoakJudge.Judge(moved, Soak, Limits, restart.Until));

        var flapping = facts with { Restarts = Limits.MaxRestarts };
        var failed = Assert.IsType<SoakVerdict.Fail>(SoakJudge.Judge(flapping, Soak, Limits, Start.AddMinutes(13)));
        Assert.Equal(AttemptFailure.Offline, failed.Kind);
    }

    [Fact]
    public void A_window_without_any_health_summary_fails_as_unproven()
    {
        var failed = Assert.IsType<SoakVerdict.Fail>(SoakJudge.Judge(Facts(), Soak, Limits, Start + Soak));

        Assert.Equal(AttemptFailure.NoHealth, failed.Kind);
        Assert.Equal(new SoakVerdict.Continue(), SoakJudge.Judge(Facts(), Soak, Limits, Start.AddMinutes(29)));
    }
}
