using System.Text.Json.Nodes;
using Fleet.Testing;
using Xunit.Abstractions;

namespace Fleet.EndToEnd.Tests;

/// <summary>kill -9 of the agent in each update state, watched from outside through the device's own state files
/// (update/journal.json, update/bitmap, slots/.b.new, boot.json) — no hooks in the agent. The hub slows chunk
/// delivery (test hook) so the download lasts long enough to be interrupted. After each kill the supervisor starts
/// fleet-boot again, like systemd; every device must end committed, with a runnable committed slot.</summary>
[Collection(OtaCollection.Name)]
public sealed class CrashInjectionTests(OtaBundles bundles, ITestOutputHelper output)
{
    /// <summary>The crash table: where to kill, and how to recognise that the agent is there.</summary>
    private static readonly (string State, Func<string, int, int, bool> At)[] Table =
    [
        ("offered", (root, starts, now) => now == starts && Phase(root) is "offered" or "downloading" && !File.Exists(Bitmap(root))),
        ("downloading", (root, starts, now) => now == starts && Phase(root) == "downloading" && File.Exists(Bitmap(root))),
        ("staged", (root, starts, now) => now == starts && (Directory.Exists(Path.Combine(root, "slots", ".b.new")) || Phase(root) == "staged")),
        ("activating", (root, starts, now) => now == starts && Phase(root) is "activating" or "trial" && TrialAttempts(root) is not null),
        ("trial", (root, starts, now) => now > starts && Phase(root) == "trial" && TrialAttempts(root) >= 1),
    ];

    [Fact]
    public async Task Killing_the_agent_in_any_update_state_ends_committed_with_a_runnable_slot_and_the_download_resumes()
    {
        await using var world = await OtaWorld.StartAsync(bundles, new Dictionary<string, string?> { ["FLEET_TEST_CHUNK_DELAY_MS"] = "15" });
        await world.CliAsync("firmware", "publish", bundles.V101);
        var agents = new List<(string State, string Serial, SupervisedAgent Agent, Func<string, int, int, bool> At)>();
        foreach (var (state, at) in Table)
        {
            var serial = $"crash-{state}";
            agents.Add((state, serial, await world.AddDeviceAsync(serial), at));
        }

        await world.AllRunAsync("1.0.0", agents.Select(a => a.Serial), TimeSpan.FromSeconds(180));
        var firmware = (await world.GetAsync("/api/v1/firmware")).AsArray().First(f => f!["version"]!.ToString() == "1.0.1")!;
        var chunkCount = firmware["chunkCount"]!.GetValue<int>();

        var results = await Task.WhenAll(agents.Select(async a =>
        {
            var starts = a.Agent.Starts;
            var pushed = await world.PostAsync($"/api/v1/devices/{a.Serial}/update", new { firmware = "1.0.1" });
            if (a.State == "downloading")
            {
                // A random point of the download, after the bitmap was first persisted.
                await Eventually.Until(() => a.At(a.Agent.Root, starts, a.Agent.Starts), $"{a.Serial} downloading", TimeSpan.FromSeconds(120));
                await Task.Delay(Random.Shared.Next(0, 1500));
            }
            else
            {
                await PollUntil(() => a.At(a.Agent.Root, starts, a.Agent.Starts), $"{a.Serial} reaching {a.State}");
            }

            var observed = $"{Phase(a.Agent.Root)} bitmap={File.Exists(Bitmap(a.Agent.Root))} trial={TrialAttempts(a.Agent.Root)}";
            a.Agent.Kill();
            return (a.State, a.Serial, a.Agent, Id: pushed["id"]!.GetValue<long>(), Observed: observed);
        }));

        foreach (var r in results)
        {
            JsonNode? attempt = null;
            try
            {
                await Eventually.Until(async () =>
                {
                    attempt = (await world.AttemptsAsync(r.Serial)).First(a => a!["id"]!.GetValue<long>() == r.Id);
                    return attempt!["state"]!.ToString() == "committed";
                }, $"{r.Serial} (killed in {r.State}: {r.Observed}) to commit", TimeSpan.FromSeconds(240));
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message}\nattempt: {attempt}\n{string.Join('\n', r.Agent.Output.Split('\n').TakeLast(80))}", ex);
            }

            // Never without a runnable slot: the committed slot is the new one, it holds an agent, no trial is left.
            var boot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(r.Agent.Root, "boot.json")))!;
            Assert.Equal("b", boot["committed"]!.ToString());
            Assert.Equal("b", boot["active"]!.ToString());
            Assert.Null(boot["trial"]);
            Assert.True(File.Exists(Path.Combine(r.Agent.Root, "slots", "b", "Fleet.Device.dll")));
            Assert.True(File.Exists(Path.Combine(r.Agent.Root, "slots", "a", "Fleet.Device.dll")));

            var requested = attempt!["chunksRequested"]!.GetValue<int>();
            output.WriteLine($"{r.Serial}: killed at [{r.Observed}], fleet-boot started {r.Agent.Starts} times, {requested} chunk requests for {chunkCount} chunks");
            if (r.State == "downloading")
            {
                // Resumed from the persisted bitmap: only the chunks not yet recorded (at most window + persist interval,
                // plus a few stale answers) were asked for again, never the whole payload.
                var again = requested - chunkCount;
                Assert.True(again is >= 0 and <= 48, $"{r.Serial}: {again} of {chunkCount} chunks requested again ({r.Observed})");
            }
            else if (r.State != "offered")
            {
                Assert.True(requested <= chunkCount + 24, $"{r.Serial}: {requested} chunks requested for {chunkCount}");
            }
        }

        await world.AllRunAsync("1.0.1", results.Select(r => r.Serial), TimeSpan.FromSeconds(120));
    }

    /// <summary>Tight polling: some states last well under a second.</summary>
    private static async Task PollUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }

            await Task.Delay(5);
        }
    }

    private static string Bitmap(string root) => Path.Combine(root, "update", "bitmap");

    private static string? Phase(string root)
    {
        try
        {
            var path = Path.Combine(root, "update", "journal.json");
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?["phase"]?.ToString() : null;
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static int? TrialAttempts(string root)
    {
        try
        {
            var boot = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "boot.json")));
            return boot?["trial"] is JsonObject t ? t["attempts"]?.GetValue<int>() : null;
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
