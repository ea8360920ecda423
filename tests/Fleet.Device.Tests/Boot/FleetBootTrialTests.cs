namespace Fleet.Device.Tests.Boot;

/// <summary>fleet-boot with a trial pending: every start is counted before the agent runs, and after N starts
/// without a commit the committed slot comes back, with the reason recorded for the agent to report.</summary>
public sealed class FleetBootTrialTests
{
    private const string TrialOfB = """{"active":"b","committed":"a","trial":{"slot":"b","attempts":0}}""";

    [Fact]
    public async Task Counts_the_trial_start_in_boot_json_before_the_agent_runs()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 1);
        root.WriteBoot(TrialOfB);
        root.LinkCurrent("a");

        var first = await root.BootAsync();
        var second = await root.BootAsync();

        Assert.Equal(1, first.ExitCode);
        Assert.Equal(1, second.ExitCode);
        var starts = root.StartsOf("b");
        Assert.Equal(2, starts.Count);
        // What the agent itself saw in boot.json when it started: the attempt was already on disk.
        Assert.EndsWith("""|b|{"active":"b","committed":"a","trial":{"slot":"b","attempts":1}}""", starts[0]);
        Assert.EndsWith("""|b|{"active":"b","committed":"a","trial":{"slot":"b","attempts":2}}""", starts[1]);
        Assert.Equal(new BootState("b", "a", "b", 2), root.ReadBoot());
        Assert.Empty(root.StartsOf("a"));
        Assert.False(File.Exists(root.RollbackJson));
    }

    [Fact]
    public async Task Switches_the_current_link_to_the_trial_slot_and_back_after_rollback()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 1);
        root.WriteBoot(TrialOfB);
        root.LinkCurrent("a");

        await root.BootAsync("--max-attempts", "1");
        Assert.Equal("slots/b", root.CurrentTarget);

        await root.BootAsync("--max-attempts", "1");
        Assert.Equal("slots/a", root.CurrentTarget);
        Assert.Single(root.StartsOf("a"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Rolls_back_to_the_committed_slot_after_N_failed_trial_starts(int maxAttempts)
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 1);
        root.WriteBoot(TrialOfB);
        root.LinkCurrent("b");

        for (var i = 0; i < maxAttempts; i++)
        {
            var trial = await root.BootAsync("--max-attempts", maxAttempts.ToString());
            Assert.Equal(1, trial.ExitCode);
        }

        Assert.Equal(maxAttempts, root.StartsOf("b").Count);
        Assert.Empty(root.StartsOf("a"));

        var rollback = await root.BootAsync("--max-attempts", maxAttempts.ToString());

        Assert.Equal(0, rollback.ExitCode);
        Assert.Contains("rolling back to committed slot a", rollback.StandardError);
        Assert.Equal(maxAttempts, root.StartsOf("b").Count);
        Assert.Single(root.StartsOf("a"));
        Assert.Equal(new BootState("a", "a", null, null), root.ReadBoot());
        Assert.Equal("slots/a", root.CurrentTarget);

        var record = RollbackRecord.Read(root.RollbackJson);
        Assert.Equal("b", record.Slot);
        Assert.Equal("a", record.Committed);
        Assert.Equal(maxAttempts, record.Attempts);
        Assert.Contains($"started {maxAttempts} times without committing", record.Reason);
    }

    [Fact]
    public async Task Allows_three_trial_starts_by_default()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 1);
        root.WriteBoot(TrialOfB);

        for (var i = 0; i < 4; i++)
        {
            await root.BootAsync();
        }

        Assert.Equal(3, root.StartsOf("b").Count);
        Assert.Single(root.StartsOf("a"));
    }

    [Fact]
    public async Task After_rollback_later_starts_run_the_committed_slot_and_leave_the_record_for_the_agent()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 1);
        root.WriteBoot("""{"active":"b","committed":"a","trial":{"slot":"b","attempts":3}}""");

        await root.BootAsync();
        var recorded = File.ReadAllText(root.RollbackJson);
        await root.BootAsync();

        Assert.Equal(2, root.StartsOf("a").Count);
        Assert.Empty(root.StartsOf("b"));
        Assert.Equal(recorded, File.ReadAllText(root.RollbackJson));
    }

    [Fact]
    public async Task A_trial_committed_by_the_agent_is_no_longer_counted()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 0);
        root.WriteBoot(TrialOfB);

        await root.BootAsync();
        // The agent's health check passed: it commits by rewriting boot.json.
        root.WriteBoot("""{"active":"b","committed":"b","trial":null}""");
        for (var i = 0; i < 4; i++)
        {
            await root.BootAsync();
        }

        Assert.Equal(5, root.StartsOf("b").Count);
        Assert.Empty(root.StartsOf("a"));
        Assert.Equal(new BootState("b", "b", null, null), root.ReadBoot());
        Assert.False(File.Exists(root.RollbackJson));
    }

    [Fact]
    public async Task Rolls_back_at_once_when_the_trial_slot_holds_no_agent()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddEmptySlot("b");
        root.WriteBoot(TrialOfB);
        root.LinkCurrent("b");

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Single(root.StartsOf("a"));
        Assert.Equal(new BootState("a", "a", null, null), root.ReadBoot());
        Assert.Equal("slots/a", root.CurrentTarget);
        Assert.Contains("trial slot b has no agent", RollbackRecord.Read(root.RollbackJson).Reason);
    }
}
