namespace Fleet.Hub.Rollouts.Tests;

public sealed class RolloutPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static readonly GroupTarget Beta = new("beta", "algae-tank", "new-uuid", "1.0.1", "sim", "x64",
        ["beta"], TagMatch.All, null, Paused: false);

    private static readonly RolloutPolicy OneAtATime = RolloutPolicy.Default with { MaxConcurrent = 1 };

    private static DeviceSnapshot Device(string serial, string version = "1.0.0", bool online = true, string[]? tags = null,
        DateTimeOffset? penalty = null, string? uuid = null) =>
        new(serial, "algae-tank", "sim", "x64", tags ?? ["beta"], uuid ?? "old-uuid", version, online, false, penalty);

    private static Attempt Attempt(string serial, AttemptState state, TimeSpan? ago = null) =>
        new(serial, "new-uuid", state, Now - (ago ?? TimeSpan.FromMinutes(5)), Now - (ago ?? TimeSpan.FromMinutes(5)));

    [Fact]
    public void Max_concurrent_one_starts_one_device_and_waits_for_it()
    {
        DeviceSnapshot[] devices = [Device("t3"), Device("t1"), Device("t2")];

        var first = RolloutPlanner.Plan(Beta, OneAtATime, devices, [], Now);
        Assert.Equal([new RolloutDecision.StartUpdate("t1")], first);

        var waiting = RolloutPlanner.Plan(Beta, OneAtATime, devices, [Attempt("t1", AttemptState.InFlight)], Now);
        Assert.Empty(waiting);
    }

    [Fact]
    public void A_device_is_done_only_when_it_runs_the_new_firmware()
    {
        DeviceSnapshot[] devices = [Device("t1", "1.0.1", uuid: "new-uuid"), Device("t2")];

        var plan = RolloutPlanner.Plan(Beta, OneAtATime, devices, [Attempt("t1", AttemptState.Committed)], Now);

        Assert.Equal([new RolloutDecision.StartUpdate("t2")], plan);
    }

    [Fact]
    public void Offline_revoked_untagged_and_newer_devices_are_not_started()
    {
        DeviceSnapshot[] devices =
        [
            Device("off", online: false),
            Device("revoked") with { Revoked = true },
            Device("prod", tags: ["production"]),
            Device("newer", "2.0.0"),
            Device("arm") with { Architecture = "arm64" },
        ];

        Assert.Empty(RolloutPlanner.Plan(Beta, RolloutPolicy.Default, devices, [], Now));
    }

    [Fact]
    public void A_stalled_attempt_times_out_and_counts_as_a_failure()
    {
        var policy = OneAtATime with { InFlightTimeout = TimeSpan.FromMinutes(10), FailureThresholdPercent = 100, MinimumFinished = 2 };

        var plan = RolloutPlanner.Plan(Beta, policy, [Device("t1"), Device("t2")], [Attempt("t1", AttemptState.InFlight, TimeSpan.FromMinutes(11))], Now);

        Assert.Equal(new RolloutDecision.ExpireAttempt("t1", "no progress for 10 min"), plan[0]);
        Assert.Contains(new RolloutDecision.StartUpdate("t2"), plan);
    }

    [Fact]
    public void The_group_pauses_itself_at_the_failure_threshold()
    {
        var policy = OneAtATime with { FailureThresholdPercent = 50 };
        DeviceSnapshot[] devices = [Device("t1"), Device("t2"), Device("t3")];

        var plan = RolloutPlanner.Plan(Beta, policy, devices, [Attempt("t1", AttemptState.RolledBack)], Now);

        var pause = Assert.IsType<RolloutDecision.PauseGroup>(Assert.Single(plan));
        Assert.Contains("1 of the last 1 updates to 1.0.1 failed", pause.Reason);
    }

    [Fact]
    public void Below_the_threshold_the_rollout_continues()
    {
        var policy = OneAtATime with { FailureThresholdPercent = 60 };
        DeviceSnapshot[] devices = [Device("t1", "1.0.1", uuid: "new-uuid"), Device("t2"), Device("t3")];

        var plan = RolloutPlanner.Plan(Beta, policy, devices,
            [Attempt("t1", AttemptState.Committed, TimeSpan.FromMinutes(9)), Attempt("t2", AttemptState.Failed)], Now);

        // t3 has not failed yet, so it goes before t2's retry.
        Assert.Equal([new RolloutDecision.StartUpdate("t3")], plan);
    }

    [Fact]
    public void Repeated_failures_of_one_device_put_it_in_the_penalty_box()
    {
        var policy = RolloutPolicy.Default with { FailureThresholdPercent = 100, MinimumFinished = 5, PenaltyBoxAfterFailures = 2 };
        DeviceSnapshot[] devices = [Device("t1"), Device("t2")];
        Attempt[] attempts = [Attempt("t1", AttemptState.Failed, TimeSpan.FromMinutes(20)), Attempt("t1", AttemptState.Failed)];

        var plan = RolloutPlanner.Plan(Beta, policy, devices, attempts, Now);

        Assert.Contains(new RolloutDecision.PenaltyBox("t1", Now + policy.PenaltyBoxDuration, "2 failed attempts at 1.0.1"), plan);
        Assert.Contains(new RolloutDecision.StartUpdate("t2"), plan);
        Assert.DoesNotContain(new RolloutDecision.StartUpdate("t1"), plan);
    }

    [Fact]
    public void A_device_in_the_penalty_box_waits_and_gets_a_fresh_count_after()
    {
        var policy = RolloutPolicy.Default with { FailureThresholdPercent = 100, MinimumFinished = 5 };
        Attempt[] attempts = [Attempt("t1", AttemptState.Failed, TimeSpan.FromMinutes(50)), Attempt("t1", AttemptState.Failed, TimeSpan.FromMinutes(40))];

        Assert.Empty(RolloutPlanner.Plan(Beta, policy, [Device("t1", penalty: Now.AddMinutes(5))], attempts, Now));
        Assert.Equal([new RolloutDecision.StartUpdate("t1")],
            RolloutPlanner.Plan(Beta, policy, [Device("t1", penalty: Now.AddMinutes(-1))], attempts, Now));
    }

    [Fact]
    public void A_paused_group_starts_nothing()
    {
        Assert.Empty(RolloutPlanner.Plan(Beta with { Paused = true }, RolloutPolicy.Default, [Device("t1")], [], Now));
    }

    [Fact]
    public void Planning_twice_on_the_same_facts_gives_the_same_decisions()
    {
        DeviceSnapshot[] devices = [Device("t1"), Device("t2"), Device("t3")];
        Attempt[] attempts = [Attempt("t2", AttemptState.InFlight)];
        var policy = RolloutPolicy.Default with { MaxConcurrent = 2 };

        Assert.Equal(RolloutPlanner.Plan(Beta, policy, devices, attempts, Now), RolloutPlanner.Plan(Beta, policy, devices, attempts, Now));
    }

    [Fact]
    public void A_soaking_device_holds_its_slot_and_is_neither_a_success_nor_a_failure_yet()
    {
        DeviceSnapshot[] devices = [Device("t1", "1.0.1", uuid: "new-uuid"), Device("t2")];
        var policy = OneAtATime with { FailureThresholdPercent = 1 };

        Assert.Empty(RolloutPlanner.Plan(Beta, policy, devices, [Attempt("t1", AttemptState.Soaking)], Now));
        Assert.Null(RolloutPlanner.ThresholdReached(Beta, policy, [Attempt("t1", AttemptState.Soaking)]));
        Assert.Equal([new RolloutDecision.StartUpdate("t2")], RolloutPlanner.Plan(Beta, policy, devices, [Attempt("t1", AttemptState.Committed)], Now));
    }

    [Fact]
    public void A_failed_soak_counts_towards_the_failure_threshold()
    {
        DeviceSnapshot[] devices = [Device("t1", "1.0.1", uuid: "new-uuid"), Device("t2")];
        var failed = Attempt("t1", AttemptState.Failed) with { Failure = AttemptFailure.SensorFault, Reason = "sensor fault: water_temperature stuck" };

        var plan = RolloutPlanner.Plan(Beta, OneAtATime with { FailureThresholdPercent = 50 }, devices, [failed], Now);

        Assert.Equal([new RolloutDecision.PauseGroup("1 of the last 1 updates to 1.0.1 failed (threshold 50%)")], plan);
    }

    [Fact]
    public void A_quarantined_release_starts_nowhere_but_what_is_in_flight_still_times_out()
    {
        var policy = RolloutPolicy.Default with { InFlightTimeout = TimeSpan.FromMinutes(10), FailureThresholdPercent = 100, MinimumFinished = 5 };
        var quarantined = Beta with { Quarantined = true };

        Assert.Empty(RolloutPlanner.Plan(quarantined, policy, [Device("t1"), Device("t2")], [], Now));
        var stalled = RolloutPlanner.Plan(quarantined, policy, [Device("t1"), Device("t2")], [Attempt("t1", AttemptState.InFlight, TimeSpan.FromMinutes(11))], Now);
        Assert.Equal([new RolloutDecision.ExpireAttempt("t1", "no progress for 10 min")], stalled);
    }
}
