using System.Text.Json.Nodes;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

[Collection(OtaCollection.Name)]
public sealed class RolloutTests(OtaBundles bundles)
{
    private static readonly string[] Serials = ["tank-1", "tank-2", "tank-3"];

    [Fact]
    public async Task A_group_with_max_concurrent_1_updates_one_device_at_a_time_and_all_commit_even_across_a_hub_restart()
    {
        await using var world = await OtaWorld.StartAsync(bundles);
        await world.CliAsync("firmware", "publish", bundles.V101);
        foreach (var s in Serials)
        {
            await world.AddDeviceAsync(s);
        }

        await world.AllRunAsync("1.0.0", Serials);
        await world.CliAsync("deployment", "create", "tanks", "--product", OtaBundles.Product, "--firmware", "1.0.0", "--max-concurrent", "1");
        await world.CliAsync("deployment", "update", "tanks", "--firmware", "1.0.1");

        try
        {
            // The hub goes down once the first device has committed and the second is under way.
            await Eventually.Until(async () => Count(await world.ProgressAsync("tanks"), "committed") >= 1, "a first commit", TimeSpan.FromSeconds(180));
            await world.RestartHubAsync();

            await Eventually.Until(async () => Count(await world.ProgressAsync("tanks"), "committed") == 3, "all three committed", TimeSpan.FromSeconds(300));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nprogress: {await world.ProgressAsync("tanks")}\n{world.AgentOutput()}", ex);
        }

        await world.AllRunAsync("1.0.1", Serials);
        var progress = await world.ProgressAsync("tanks");
        var attempts = progress["attempts"]!.AsArray().Select(a => a!).OrderBy(a => a["startedAt"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("committed", a["state"]!.ToString()));
        Assert.Equal(Serials.Order(), attempts.Select(a => a["serial"]!.ToString()).Order());
        for (var i = 1; i < attempts.Count; i++)
        {
            // In flight never exceeded one: each attempt started only after the previous one finished.
            Assert.True(attempts[i]["startedAt"]!.GetValue<DateTimeOffset>() >= attempts[i - 1]["finishedAt"]!.GetValue<DateTimeOffset>(),
                $"attempts overlap: {attempts[i - 1]} / {attempts[i]}");
        }

        var shown = await world.CliAsync("deployment", "show", "tanks");
        Assert.Contains("3/3 committed", shown);
    }

    [Fact]
    public async Task With_a_soak_a_real_agent_that_commits_soaks_on_its_health_summaries_and_only_then_counts_committed()
    {
        await using var world = await OtaWorld.StartAsync(bundles);
        await world.CliAsync("firmware", "publish", bundles.V101);
        // A summary every 2 s, so a 20 s soak sees several from the new release.
        await world.AddDeviceAsync("tank-soak", "{\"health\":{\"intervalSeconds\":2}}");
        await world.AllRunAsync("1.0.0", ["tank-soak"]);
        await world.CliAsync("deployment", "create", "soaked", "--product", OtaBundles.Product, "--firmware", "1.0.0", "--soak", "20s");
        await world.CliAsync("deployment", "update", "soaked", "--firmware", "1.0.1");

        try
        {
            await Eventually.Until(async () => Count(await world.ProgressAsync("soaked"), "soaking") == 1, "the device to soak after its commit", TimeSpan.FromSeconds(180));
            var shown = await world.CliAsync("deployment", "show", "soaked");
            Assert.Contains("soak:                20s", shown);
            Assert.Matches(@"tank-soak\s+soaking\s+\d+s left running 1\.0\.1", shown);

            await Eventually.Until(async () => Count(await world.ProgressAsync("soaked"), "committed") == 1, "the soak to pass", TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nprogress: {await world.ProgressAsync("soaked")}\n{world.AgentOutput()}", ex);
        }

        var attempt = Assert.Single((await world.ProgressAsync("soaked"))["attempts"]!.AsArray())!;
        Assert.Equal("committed", attempt["state"]!.ToString());
        Assert.True(attempt["finishedAt"]!.GetValue<DateTimeOffset>() - attempt["soakStartedAt"]!.GetValue<DateTimeOffset>() >= TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Firmware_whose_agent_cannot_start_is_rolled_back_by_fleet_boot_and_the_group_pauses_before_reaching_every_device()
    {
        await using var world = await OtaWorld.StartAsync(bundles);
        await world.CliAsync("firmware", "publish", bundles.Broken102);
        foreach (var s in Serials)
        {
            await world.AddDeviceAsync(s);
        }

        await world.AllRunAsync("1.0.0", Serials);
        await world.CliAsync("deployment", "create", "tanks", "--product", OtaBundles.Product, "--firmware", "1.0.0", "--max-concurrent", "1", "--failure-threshold", "50");
        await world.CliAsync("deployment", "update", "tanks", "--firmware", "1.0.2");

        JsonNode progress = null!;
        try
        {
            await Eventually.Until(async () => (progress = await world.ProgressAsync("tanks"))["paused"]!.GetValue<bool>(), "the group to pause itself", TimeSpan.FromSeconds(240));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nprogress: {await world.ProgressAsync("tanks")}\n{world.AgentOutput()}", ex);
        }

        var attempts = progress["attempts"]!.AsArray();
        var failed = Assert.Single(attempts)!;
        Assert.Equal("rolled_back", failed["state"]!.ToString());
        Assert.Contains("without committing", failed["reason"]!.ToString());
        Assert.Contains("failed", progress["pauseReason"]!.ToString());
        Assert.Equal(1, Count(progress, "rolledBack"));
        Assert.Equal(2, Count(progress, "pending"));

        // fleet-boot put the device back on its committed slot: it runs 1.0.0 again.
        await world.AllRunAsync("1.0.0", Serials);
        var audit = (await world.GetAsync("/api/v1/audit?subject=deployment:tanks")).AsArray();
        Assert.Contains(audit, e => e!["action"]!.ToString() == "deployment.pause" && e["actor"]!.ToString() == "hub"
            && e["details"]!.ToString().Contains("threshold 50%", StringComparison.Ordinal));
        var shown = await world.CliAsync("deployment", "show", "tanks");
        Assert.Contains("paused because:", shown);
    }

    private static int Count(JsonNode progress, string field) => progress["counts"]![field]!.GetValue<int>();
}
