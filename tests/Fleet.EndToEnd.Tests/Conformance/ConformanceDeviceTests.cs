using System.Text.Json.Nodes;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Conformance;

/// <summary>The device protocol as a published contract (docs/protocol.md): a tank agent that is not .NET, written
/// from the documents alone (tests/conformance-js/device.mjs, Node.js on the <c>mqtt</c> npm package), goes through
/// status, telemetry, an update offer it verifies against its provisioned TUF trust, a chunked download it checks
/// chunk by chunk against the signed manifest, and commit, against a real hub set up with the real CLI.</summary>
public sealed class ConformanceDeviceTests(ConformanceWorld world) : IClassFixture<ConformanceWorld>
{
    // What device.mjs sends: one batch before the update, one on the new firmware.
    private static readonly (string Sensor, double Value, string Unit)[] SentReadings =
    [
        ("water_temperature", 21.5, "°C"), ("ph", 6.8, "pH"), ("turbidity", 12.25, "NTU"), ("light", 310, "lx"),
        ("water_temperature", 21.75, "°C"), ("ph", 6.9, "pH"),
    ];

    [Fact]
    public async Task A_device_written_from_the_protocol_documents_alone_verifies_downloads_and_commits_an_update()
    {
        const string serial = "conformance-1";
        var root = await world.AddDeviceAsync(serial, "conformance");

        var run = await world.RunDeviceAsync(root);

        Assert.True(run.ExitCode == 0, $"the conformance device failed: {run}");
        var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("trust: provisioning/trust verified: root v1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"offer: {ConformanceWorld.Product} 1.0.1 ({world.V101Uuid})", StringComparison.Ordinal) && l.Contains("under scope 'any'", StringComparison.Ordinal));
        Assert.Equal(world.V101Chunks, lines.Count(l => l.StartsWith("chunk: ", StringComparison.Ordinal) && l.Contains("SHA-256 matches the manifest", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("committed: ", StringComparison.Ordinal));

        // The hub: the rollout counts the device committed on 1.0.1 (committed event AND a status naming the uuid).
        JsonNode progress = null!;
        await Eventually.Until(async () => (progress = await world.GetAsync("/api/v1/deployments/conformance/progress"))["counts"]!["committed"]!.GetValue<int>() == 1,
            "the rollout to count conformance-1 committed", TimeSpan.FromSeconds(30));
        var device = progress["devices"]!.AsArray().Single(d => d!["serial"]!.ToString() == serial)!;
        Assert.Equal("committed", device["status"]!.ToString());
        Assert.Equal("1.0.1", device["currentVersion"]!.ToString());
        var attempt = progress["attempts"]!.AsArray().Single()!;
        Assert.Equal("committed", attempt["state"]!.ToString());
        Assert.True(attempt["chunksRequested"]!.GetValue<int>() >= world.V101Chunks, $"fewer chunks requested than the firmware has: {attempt}");

        // The device API: the new firmware in slot b, and offline, as its last status said.
        JsonNode registered = null!;
        await Eventually.Until(async () => (registered = await world.GetAsync($"/api/v1/devices/{serial}"))["online"]!.GetValue<bool>() == false,
            "the device's last status (offline) to be stored", TimeSpan.FromSeconds(30));
        Assert.Equal(world.V101Uuid, registered["firmwareUuid"]!.ToString());
        Assert.Equal("1.0.1", registered["firmwareVersion"]!.ToString());
        Assert.Equal("b", registered["activeSlot"]!.ToString());

        // Every reading the device sent is stored, exactly.
        var stored = (await world.GetAsync($"/api/v1/devices/{serial}/telemetry?limit=100")).AsArray()
            .Select(r => (r!["sensor"]!.ToString(), r["value"]!.GetValue<double>(), r["unit"]!.ToString())).Order().ToList();
        Assert.Equal(SentReadings.Order().ToList(), stored);

        // The update stages the protocol defines, in order, and nothing the hub had to drop (no protocol events).
        var events = (await world.GetAsync($"/api/v1/devices/{serial}/events?limit=100")).AsArray().Select(e => e!).OrderBy(e => e["id"]!.GetValue<long>()).ToList();
        Assert.DoesNotContain(events, e => e["kind"]!.ToString() == "protocol");
        var stages = events.Where(e => e["kind"]!.ToString() == "update").Select(e => e["name"]!.ToString()).Distinct().ToList();
        Assert.Equal(new[] { "received", "downloading", "staged", "rebooting", "committed" }, stages);
        Assert.All(events.Where(e => e["kind"]!.ToString() == "update"), e => Assert.Equal(world.V101Uuid, e["firmwareUuid"]!.ToString()));

        // What it staged is the signed payload, byte for byte.
        Assert.Equal(ConformanceWorld.PayloadOf(world.V101), await File.ReadAllBytesAsync(Path.Combine(root, "slots", "b", "payload")));
    }

    [Fact]
    public async Task A_chunk_that_does_not_match_the_signed_manifest_makes_the_device_refuse_the_download()
    {
        const string serial = "conformance-corrupt";
        var root = await world.AddDeviceAsync(serial, "conformance-corrupt");

        var run = await world.RunDeviceAsync(root, "--corrupt-chunk", "3");

        Assert.True(run.ExitCode == 2, $"the device should refuse the download with exit 2: {run}");
        var message = run.StandardError.Trim();
        Assert.StartsWith($"conformance device: ChunkHashMismatch: chunk 3 of {world.V101Uuid} has SHA-256 ", message);
        Assert.EndsWith("download refused", message);
        Assert.DoesNotContain("committed:", run.StandardOutput);
        Assert.False(File.Exists(Path.Combine(root, "slots", "b", "payload")), "nothing may be staged from a refused download");

        // The hub's attempt fails with the device's reason, and the device still runs 1.0.0.
        JsonNode attempt = null!;
        await Eventually.Until(async () => (attempt = (await world.GetAsync($"/api/v1/devices/{serial}/rollout-attempts")).AsArray().FirstOrDefault()!) is { } a
            && a["state"]!.ToString() == "failed", "the hub to record the attempt as failed", TimeSpan.FromSeconds(30));
        Assert.StartsWith("ChunkHashMismatch: chunk 3 of ", attempt["reason"]!.ToString());
        var registered = await world.GetAsync($"/api/v1/devices/{serial}");
        Assert.Equal(world.V100Uuid, registered["firmwareUuid"]!.ToString());
        Assert.Equal("a", registered["activeSlot"]!.ToString());
    }

    [Fact]
    public async Task An_offered_manifest_changed_after_signing_is_refused_before_any_chunk_is_requested()
    {
        const string serial = "conformance-tampered";
        var root = await world.AddDeviceAsync(serial, "conformance-tampered");

        var run = await world.RunDeviceAsync(root, "--corrupt-offer");

        Assert.True(run.ExitCode == 2, $"the device should refuse the offer with exit 2: {run}");
        Assert.StartsWith("conformance device: BadSignature: the signature by ", run.StandardError.Trim());
        Assert.DoesNotContain("chunk: ", run.StandardOutput);

        // The device answered the offer with the refusal and reported it: the attempt fails before a single chunk
        // was asked for.
        JsonNode attempt = null!;
        await Eventually.Until(async () => (attempt = (await world.GetAsync($"/api/v1/devices/{serial}/rollout-attempts")).AsArray().FirstOrDefault()!) is { } a
            && a["state"]!.ToString() == "failed", "the hub to record the attempt as failed", TimeSpan.FromSeconds(30));
        Assert.StartsWith("BadSignature: the signature by ", attempt["reason"]!.ToString());
        Assert.Equal(0, attempt["chunksRequested"]!.GetValue<int>());
        Assert.Equal(world.V100Uuid, (await world.GetAsync($"/api/v1/devices/{serial}"))["firmwareUuid"]!.ToString());
    }
}
