using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

[Collection(OtaCollection.Name)]
public sealed class CorruptChunkTests(OtaBundles bundles)
{
    [Fact]
    public async Task A_chunk_corrupted_on_the_wire_is_detected_fetched_again_and_never_written()
    {
        // The hub's test hook flips a byte in the first delivery of chunk 3 to each device.
        await using var world = await OtaWorld.StartAsync(bundles, new Dictionary<string, string?> { ["FLEET_TEST_CORRUPT_CHUNKS"] = "3" });
        await world.CliAsync("firmware", "publish", bundles.V101);
        var agent = await world.AddDeviceAsync("tank-c");
        await world.AllRunAsync("1.0.0", ["tank-c"]);

        var pushed = await world.PostAsync("/api/v1/devices/tank-c/update", new { firmware = "1.0.1" });
        var id = pushed["id"]!.GetValue<long>();
        System.Text.Json.Nodes.JsonNode? attempt = null;
        try
        {
            await Eventually.Until(async () =>
            {
                attempt = (await world.AttemptsAsync("tank-c")).FirstOrDefault(a => a!["id"]!.GetValue<long>() == id);
                return attempt?["state"]?.ToString() == "committed";
            }, "the update to commit", TimeSpan.FromSeconds(180));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nattempt: {attempt}\n{world.AgentOutput()}", ex);
        }

        // The device counted the bad chunk and asked for it again (one more index than the payload has).
        var events = (await world.GetAsync("/api/v1/devices/tank-c/events?limit=500")).AsArray();
        var done = events.Select(e => e!).First(e => e["kind"]!.ToString() == "update" && e["name"]!.ToString() == "downloading"
            && e["progress"]?.GetValue<double>() == 1 && e["detail"]?.ToString().Contains("requested", StringComparison.Ordinal) == true);
        Assert.Contains(" 1 corrupt", done["detail"]!.ToString());
        var firmware = (await world.GetAsync("/api/v1/firmware")).AsArray().First(f => f!["version"]!.ToString() == "1.0.1")!;
        Assert.True(attempt!["chunksRequested"]!.GetValue<int>() >= firmware["chunkCount"]!.GetValue<int>() + 1);

        // What was installed is byte for byte the signed payload: the corrupted copy never reached the slot.
        using var expected = new TempDir("fleet-ota-expected");
        OtaWorld.Install(bundles.V101, expected.Path);
        var slot = Path.Combine(agent.Root, "slots", "b");
        foreach (var file in Directory.EnumerateFiles(expected.Path, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(expected.Path, file);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(slot, relative))), $"{relative} differs");
        }
    }
}
