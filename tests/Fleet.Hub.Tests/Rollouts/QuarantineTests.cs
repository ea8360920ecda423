using System.Text.Json;
using Fleet.Hub.Tests.Broker;
using Fleet.Hub.Tests.Cluster;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Rollouts;

/// <summary>Quarantine against a real hub: a release whose soak fails on two devices (the group's quarantine-after) is
/// quarantined for its product; a push of it and a group release of it are refused, a viewer cannot clear it, an operator
/// with manage can; every step is audited and the release can be pushed again once cleared. On SQLite and on
/// PostgreSQL (the soak's health reads and the quarantine's columns on both migrations).</summary>
public sealed class QuarantineTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task A_release_failing_its_soak_on_two_devices_is_quarantined_refused_everywhere_and_offered_again_only_once_cleared(string database)
    {
        using var dir = new TempDir();
        using var data = new TempDir("fleet-hub-data");
        string[]? args = database == "postgresql" ? ["--database", TestPostgres.NewDatabase("quarantine")] : null;
        await using var hub = await RunningHub.StartAsync(data.Path, args, null, new Dictionary<string, string?>
        {
            ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1",
            ["FLEET_HUB__ROLLOUTINFLIGHTTIMEOUTSECONDS"] = "10",
        });
        var product = await HubApi.CreateProductAsync(hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(hub, product, "release", key);
        await TestBundles.UploadAsync(hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.1", key), product);
        var canaries = new List<UpdatingDevice>();
        foreach (var n in new[] { "a", "b" })
        {
            var id = await DeviceIdentity.ProvisionAsync(hub, $"{product}-{n}", product, ["canary"]);
            canaries.Add(await UpdatingDevice.StartAsync(MqttDevice.Options(hub, id.Serial, id.Certificate), id, product, key.PublicKey, "1.0.0"));
        }

        var otherId = await DeviceIdentity.ProvisionAsync(hub, $"{product}-other", product, ["field"]);
        await using var other = await UpdatingDevice.StartAsync(MqttDevice.Options(hub, otherId.Serial, otherId.Certificate), otherId, product, key.PublicKey, "1.0.0");
        try
        {
            var group = Unique.Name("canary");
            await hub.PostOkAsync("/api/v1/deployments", new
            {
                name = group, product, firmware = "1.0.1", tags = new[] { "canary" }, maxConcurrent = 2, failureThresholdPercent = 100, soakSeconds = 600, quarantineAfter = 2,
            });
            await Eventually.Until(async () => (await ProgressAsync(hub, group)).GetProperty("counts").GetProperty("soaking").GetInt32() == 2,
                "both canaries to soak", TimeSpan.FromSeconds(60));
            Assert.Empty((await HubApi.GetAsync(hub, $"/api/v1/firmware/quarantine?product={product}")).EnumerateArray());

            // One failed soak is below the threshold; the second quarantines the release.
            await canaries[0].PublishHealthAsync(new SensorHealth(SensorNames.WaterTemperature, HealthStates.Stuck, "24.00 °C for 12 samples"));
            await Eventually.Until(async () => (await ProgressAsync(hub, group)).GetProperty("counts").GetProperty("failed").GetInt32() == 1,
                "the first canary's soak to fail", TimeSpan.FromSeconds(30));
            Assert.Equal(JsonValueKind.Null, (await ProgressAsync(hub, group)).GetProperty("quarantine").ValueKind);

            await canaries[1].PublishHealthAsync(waterError: 3.5);
            JsonElement listed = default;
            await Eventually.Until(async () =>
            {
                var list = (await HubApi.GetAsync(hub, $"/api/v1/firmware/quarantine?product={product}")).EnumerateArray().ToList();
                listed = list.FirstOrDefault();
                return list.Count == 1;
            }, "the release to be quarantined", TimeSpan.FromSeconds(30));
            Assert.Equal("1.0.1", listed.GetProperty("version").GetString());
            var reason = listed.GetProperty("reason").GetString()!;
            Assert.Contains("failed on 2 devices", reason);
            Assert.Contains($"{canaries[0].Serial}: sensor_fault", reason);
            Assert.Contains($"{canaries[1].Serial}: unhealthy", reason);
            Assert.StartsWith("quarantined since", (await ProgressAsync(hub, group)).GetProperty("quarantine").GetString());

            // Every offer path refuses it: a push, and a new group releasing it.
            var (pushStatus, pushProblem) = await HubApi.PostAsync(hub, $"/api/v1/devices/{other.Serial}/update", new { firmware = "1.0.1" });
            Assert.Equal(409, pushStatus);
            Assert.Equal("firmware_quarantined", pushProblem.GetProperty("code").GetString());
            Assert.Contains("fleet firmware quarantine clear", pushProblem.GetProperty("detail").GetString());
            var (groupStatus, groupProblem) = await HubApi.PostAsync(hub, "/api/v1/deployments", new { name = Unique.Name("field"), product, firmware = "1.0.1", tags = new[] { "field" } });
            Assert.Equal(409, groupStatus);
            Assert.Equal("firmware_quarantined", groupProblem.GetProperty("code").GetString());
            Assert.Equal(0, other.OffersOf(listed.GetProperty("uuid").GetString()!));

            // A viewer may see it but not clear it.
            var viewer = await hub.CreateUserAsync(Unique.Name("viewer"), "view");
            var (viewerStatus, _) = await HubApi.SendAsync(hub, HttpMethod.Delete, $"/api/v1/firmware/1.0.1/quarantine?product={product}", null, viewer);
            Assert.Equal(403, viewerStatus);
            Assert.Single((await HubApi.GetAsync(hub, $"/api/v1/firmware/quarantine?product={product}", viewer)).EnumerateArray());

            var manager = await hub.CreateUserAsync(Unique.Name("operator"), "manage");
            var (clearStatus, cleared) = await HubApi.SendAsync(hub, HttpMethod.Delete, $"/api/v1/firmware/1.0.1/quarantine?product={product}", null, manager);
            Assert.Equal(200, clearStatus);
            Assert.Equal(listed.GetProperty("uuid").GetString(), cleared.GetProperty("uuid").GetString());
            Assert.Empty((await HubApi.GetAsync(hub, $"/api/v1/firmware/quarantine?product={product}")).EnumerateArray());
            var (againStatus, _) = await HubApi.SendAsync(hub, HttpMethod.Delete, $"/api/v1/firmware/1.0.1/quarantine?product={product}", null, manager);
            Assert.Equal(409, againStatus);

            var audit = (await HubApi.GetAsync(hub, $"/api/v1/audit?subject=firmware:{listed.GetProperty("uuid").GetString()}")).EnumerateArray()
                .Select(e => e.GetProperty("action").GetString()).ToList();
            Assert.Contains("firmware.quarantine", audit);
            Assert.Contains("firmware.quarantine.clear", audit);

            // Cleared: the failures before the clear no longer count, and the push goes out.
            var (pushed, _) = await HubApi.PostAsync(hub, $"/api/v1/devices/{other.Serial}/update", new { firmware = "1.0.1" });
            Assert.Equal(202, pushed);
            // Until the hub has recorded the commit: the device's last report has then left, so nothing is in flight when it stops.
            await Eventually.Until(async () => (await HubApi.GetAsync(hub, $"/api/v1/devices/{other.Serial}/rollout-attempts")).EnumerateArray()
                .Any(a => a.GetProperty("state").GetString() == "committed"), "the cleared release to be offered and committed", TimeSpan.FromSeconds(60));
            Assert.Equal(1, other.CommitsOf(listed.GetProperty("uuid").GetString()!));
        }
        finally
        {
            foreach (var c in canaries)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_offer_recorded_before_its_release_was_quarantined_is_not_sent()
    {
        using var dir = new TempDir();
        using var data = new TempDir("fleet-hub-data");
        // Each offer leaves 4 s after its attempt is recorded: the quarantine of the same pass lands in that gap.
        await using var hub = await RunningHub.StartAsync(data.Path, null, null, new Dictionary<string, string?>
        {
            ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1",
            ["FLEET_TEST_OFFER_DELAY_MS"] = "4000",
        });
        var product = await HubApi.CreateProductAsync(hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(hub, product, "release", key);
        await TestBundles.UploadAsync(hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.1", key), product);
        var devices = new List<UpdatingDevice>();
        using var stop = new CancellationTokenSource();
        Task heartbeat = Task.CompletedTask;
        try
        {
            foreach (var n in new[] { "a", "b", "c" })
            {
                var id = await DeviceIdentity.ProvisionAsync(hub, $"{product}-{n}", product);
                devices.Add(await UpdatingDevice.StartAsync(MqttDevice.Options(hub, id.Serial, id.Certificate), id, product, key.PublicKey, "1.0.0"));
            }

            // a soaks healthy; b's thermometer is stuck (its summaries count once it runs the release); c sends nothing.
            var (a, b, c) = (devices[0], devices[1], devices[2]);
            heartbeat = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await a.PublishHealthAsync();
                    await b.PublishHealthAsync(new SensorHealth(SensorNames.WaterTemperature, HealthStates.Stuck, "24.00 °C for 12 samples"));
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });

            // One at a time, a threshold b's failure alone does not reach (1 of 2), and quarantine after one device.
            var group = Unique.Name("serial");
            await hub.PostOkAsync("/api/v1/deployments", new { name = group, product, firmware = "1.0.1", maxConcurrent = 1, failureThresholdPercent = 100, soakSeconds = 3, quarantineAfter = 1 });

            JsonElement attempt = default;
            await Eventually.Until(async () =>
            {
                var rows = (await HubApi.GetAsync(hub, $"/api/v1/devices/{c.Serial}/rollout-attempts")).EnumerateArray().ToList();
                attempt = rows.FirstOrDefault();
                return rows.Count > 0 && attempt.GetProperty("state").GetString() != "in_flight";
            }, "the attempt recorded for c to end", TimeSpan.FromSeconds(90));

            Assert.Equal("cancelled", attempt.GetProperty("state").GetString());
            Assert.Equal("not offered: 1.0.1 is quarantined", attempt.GetProperty("reason").GetString());
            var uuid = Assert.Single((await HubApi.GetAsync(hub, $"/api/v1/firmware/quarantine?product={product}")).EnumerateArray()).GetProperty("uuid").GetString()!;
            Assert.Equal(0, c.OffersOf(uuid));
            Assert.Equal(1, a.CommitsOf(uuid));
            Assert.False((await ProgressAsync(hub, group)).GetProperty("paused").GetBoolean());
        }
        finally
        {
            await stop.CancelAsync();
            await heartbeat;
            foreach (var d in devices)
            {
                await d.DisposeAsync();
            }
        }
    }

    private static Task<JsonElement> ProgressAsync(RunningHub hub, string group) => HubApi.GetAsync(hub, $"/api/v1/deployments/{group}/progress");
}
