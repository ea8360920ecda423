namespace Fleet.Device.Tests.Boot;

/// <summary>fleet-boot facing damage: a torn or missing boot.json, or an empty slot. It always starts an agent
/// that exists, prefers the committed slot, says what it did, and repairs boot.json.</summary>
public sealed class FleetBootRecoveryTests
{
    [Theory]
    [InlineData("")]
    [InlineData("\0\0\0\0\0\0")]
    [InlineData("""{"active":"b","committed":"a","trial":{"slot":"b","att""")]
    [InlineData("""{"active":"b","committed":"a","tri""")]
    [InlineData("""{"active":"../../etc","committed":"a","trial":null}""")]
    [InlineData("""{"active":"b","committed":"a","trial":{"slot":"b","attempts":"many"}}""")]
    public async Task A_torn_boot_json_starts_the_committed_slot_and_is_kept_aside(string torn)
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 0);
        root.WriteBoot(torn);
        root.LinkCurrent("b");

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("boot.json is unreadable or incomplete", result.StandardError);
        Assert.Single(root.StartsOf("a"));
        Assert.Empty(root.StartsOf("b"));
        Assert.Equal(new BootState("a", "a", null, null), root.ReadBoot());
        Assert.Equal("slots/a", root.CurrentTarget);
        Assert.Equal(torn, File.ReadAllText(root.BootJson + ".bad"));
    }

    [Fact]
    public async Task A_torn_boot_json_that_still_names_a_runnable_committed_slot_keeps_that_slot()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 0);
        root.WriteBoot("""{"active":"a","committed":"b","trial":{"slot":"a","attem""");

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Single(root.StartsOf("b"));
        Assert.Equal(new BootState("b", "b", null, null), root.ReadBoot());
    }

    [Fact]
    public async Task A_missing_boot_json_starts_slot_a_and_writes_a_fresh_one()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 0);

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("boot.json is missing; starting slot a", result.StandardError);
        Assert.Single(root.StartsOf("a"));
        Assert.Equal(new BootState("a", "a", null, null), root.ReadBoot());
        Assert.Equal("slots/a", root.CurrentTarget);
    }

    [Fact]
    public async Task A_torn_boot_json_with_an_empty_slot_a_starts_the_slot_that_has_an_agent()
    {
        using var root = new BootRoot();
        root.AddEmptySlot("a");
        root.AddAgent("b", exitCode: 0);
        root.WriteBoot("{\"act");

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Single(root.StartsOf("b"));
        Assert.Equal(new BootState("b", "b", null, null), root.ReadBoot());
        Assert.Equal("slots/b", root.CurrentTarget);
    }

    [Fact]
    public async Task A_committed_slot_without_agent_falls_back_to_the_other_slot_and_says_so()
    {
        using var root = new BootRoot();
        root.AddEmptySlot("a");
        root.AddAgent("b", exitCode: 0);
        root.WriteBoot("""{"active":"a","committed":"a","trial":null}""");

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("slot a holds no agent; starting slot b", result.StandardError);
        Assert.Single(root.StartsOf("b"));
        Assert.Equal(new BootState("b", "b", null, null), root.ReadBoot());
    }

    [Fact]
    public async Task A_rollback_to_an_empty_committed_slot_keeps_running_an_agent()
    {
        using var root = new BootRoot();
        root.AddEmptySlot("a");
        root.AddAgent("b", exitCode: 1);
        root.WriteBoot("""{"active":"b","committed":"a","trial":{"slot":"b","attempts":3}}""");

        var result = await root.BootAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Single(root.StartsOf("b"));
        Assert.Equal("slots/b", root.CurrentTarget);
    }

    [Fact]
    public async Task No_agent_in_any_slot_is_one_clear_failure_and_boot_json_is_left_alone()
    {
        using var root = new BootRoot();
        root.AddEmptySlot("a");
        root.AddEmptySlot("b");
        const string boot = """{"active":"a","committed":"a","trial":null}""";
        root.WriteBoot(boot);

        var result = await root.BootAsync();

        Assert.Equal(70, result.ExitCode);
        Assert.Contains("no slot under", result.StandardError);
        Assert.Contains("reinstall the firmware", result.StandardError);
        Assert.Equal(boot, File.ReadAllText(root.BootJson));
    }

    [Fact]
    public async Task Removes_temp_files_left_by_an_interrupted_write()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.WriteBoot("""{"active":"a","committed":"a","trial":null}""");
        var leftover = System.IO.Path.Combine(root.Path, "boot.json.tmp.4242");
        File.WriteAllText(leftover, "{\"active\":\"b\",\"comm");

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(leftover));
        Assert.Single(root.StartsOf("a"));
    }
}
