using System.Text.Json;
using Fleet.Hub.Tests.Broker;
using Fleet.Hub.Tests.Cluster;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Rollouts;

/// <summary>A group's soak window against a real hub and a device speaking the real update protocol: after the commit
/// the attempt is soaking with its time left shown; it succeeds only once the whole window passed connected and
/// healthy; a sensor fault fails it naming the signal and counts towards the group's failure threshold; a device that
/// drops offline is never counted succeeded and fails once offline past the limit. Each outcome is audited.</summary>
public sealed class SoakTests
{
    [Fact]
    public async Task A_committed_device_soaks_and_succeeds_only_once_the_whole_window_passed_connected_and_healthy()
    {
        await using var rig = await Rig.StartAsync(soakSeconds: 6);
        rig.PublishHealthEverySecond();

        var soaking = await rig.WaitForDeviceAsync(d => d.GetProperty("status").GetString() == "soaking", "the device to soak after its commit");
        var left = soaking.GetProperty("soakRemainingSeconds").GetDouble();
        Assert.InRange(left, 0, 6);
        Assert.Equal(1, (await rig.ProgressAsync()).GetProperty("counts").GetProperty("soaking").GetInt32());

        var done = await rig.WaitForAttemptAsync(a => a.GetProperty("state").GetString() is "committed" or "failed", "the soak to end");
        Assert.Equal("committed", done.GetProperty("state").GetString());
        var soakedFor = done.GetProperty("finishedAt").GetDateTimeOffset() - done.GetProperty("soakStartedAt").GetDateTimeOffset();
        Assert.True(soakedFor >= TimeSpan.FromSeconds(6), $"succeeded after soaking only {soakedFor}");
        Assert.Contains(await rig.AuditAsync(), e => e.GetProperty("action").GetString() == "rollout.soak.passed");
    }

    [Fact]
    public async Task A_stuck_sensor_during_the_soak_fails_the_attempt_naming_the_signal_and_the_threshold_pauses_the_group()
    {
        await using var rig = await Rig.StartAsync(soakSeconds: 600);
        await rig.WaitForDeviceAsync(d => d.GetProperty("status").GetString() == "soaking", "the device to soak after its commit");
        Assert.False((await rig.ProgressAsync()).GetProperty("paused").GetBoolean());

        await rig.Device.PublishHealthAsync(new SensorHealth(SensorNames.WaterTemperature, HealthStates.Stuck, "24.00 °C for 12 samples"));

        var failed = await rig.WaitForAttemptAsync(a => a.GetProperty("state").GetString() == "failed", "the soak to fail");
        Assert.Equal("sensor_fault", failed.GetProperty("failure").GetString());
        Assert.StartsWith("sensor fault: water_temperature stuck (24.00 °C for 12 samples)", failed.GetProperty("reason").GetString());
        await Eventually.Until(async () => (await rig.ProgressAsync()).GetProperty("paused").GetBoolean(), "the failed soak to pause the group (threshold 50%)");
        var progress = await rig.ProgressAsync();
        Assert.Equal(1, progress.GetProperty("counts").GetProperty("failed").GetInt32());
        Assert.Contains(await rig.AuditAsync(), e => e.GetProperty("action").GetString() == "rollout.soak.failed"
            && e.GetProperty("details").GetString()!.Contains("kind=sensor_fault", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_device_that_drops_offline_during_its_soak_is_never_counted_succeeded_and_fails_past_the_offline_limit()
    {
        await using var rig = await Rig.StartAsync(soakSeconds: 8);
        await rig.WaitForDeviceAsync(d => d.GetProperty("status").GetString() == "soaking", "the device to soak after its commit");
        await rig.Device.PublishHealthAsync();
        await rig.Device.DisconnectAsync();

        // The window (8 s) ends while it is offline; the offline limit is the in-flight timeout (10 s).
        var failed = await rig.WaitForAttemptAsync(a => a.GetProperty("state").GetString() is not ("soaking" or "in_flight"), "the soak of the offline device to end");
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Equal("offline", failed.GetProperty("failure").GetString());
        Assert.Contains("offline during its soak", failed.GetProperty("reason").GetString());
        Assert.DoesNotContain(await rig.AuditAsync(), e => e.GetProperty("action").GetString() == "rollout.soak.passed");
    }

    private sealed class Rig : IAsyncDisposable
    {
        private readonly TempDir _dir;
        private readonly TempDir _data;
        private readonly CancellationTokenSource _stop = new();
        private Task _heartbeat = Task.CompletedTask;

        private Rig(TempDir dir, TempDir data, RunningHub hub, UpdatingDevice device, string group)
        {
            _dir = dir;
            _data = data;
            Hub = hub;
            Device = device;
            Group = group;
        }

        public RunningHub Hub { get; }

        public UpdatingDevice Device { get; }

        public string Group { get; }

        public static async Task<Rig> StartAsync(int soakSeconds)
        {
            var dir = new TempDir();
            var data = new TempDir("fleet-hub-data");
            var hub = await RunningHub.StartAsync(data.Path, null, null, new Dictionary<string, string?>
            {
                ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1",
                ["FLEET_HUB__ROLLOUTINFLIGHTTIMEOUTSECONDS"] = "10",
            });
            var product = await HubApi.CreateProductAsync(hub);
            var key = SigningKey.Generate();
            await TestBundles.RegisterKeyAsync(hub, product, "release", key);
            await TestBundles.UploadAsync(hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.1", key), product);
            var identity = await DeviceIdentity.ProvisionAsync(hub, $"{product}-soak", product);
            var device = await UpdatingDevice.StartAsync(MqttDevice.Options(hub, identity.Serial, identity.Certificate), identity, product, key.PublicKey, "1.0.0");
            var group = Unique.Name("soak");
            await hub.PostOkAsync("/api/v1/deployments", new { name = group, product, firmware = "1.0.1", maxConcurrent = 1, failureThresholdPercent = 50, soakSeconds });
            return new Rig(dir, data, hub, device, group);
        }

        /// <summary>Healthy summaries once a second, as a tank sends them, until the rig is disposed.</summary>
        public void PublishHealthEverySecond() => _heartbeat = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await Device.PublishHealthAsync();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });

        public Task<JsonElement> ProgressAsync() => HubApi.GetAsync(Hub, $"/api/v1/deployments/{Group}/progress");

        public async Task<JsonElement> WaitForDeviceAsync(Func<JsonElement, bool> condition, string what)
        {
            JsonElement found = default;
            await Eventually.Until(async () =>
            {
                var rows = (await ProgressAsync()).GetProperty("devices").EnumerateArray().Where(condition).ToList();
                found = rows.FirstOrDefault();
                return rows.Count > 0;
            }, what, TimeSpan.FromSeconds(60));
            return found;
        }

        public async Task<JsonElement> WaitForAttemptAsync(Func<JsonElement, bool> condition, string what)
        {
            JsonElement found = default;
            await Eventually.Until(async () =>
            {
                var rows = (await HubApi.GetAsync(Hub, $"/api/v1/devices/{Device.Serial}/rollout-attempts")).EnumerateArray().Where(condition).ToList();
                found = rows.FirstOrDefault();
                return rows.Count > 0;
            }, what, TimeSpan.FromSeconds(60));
            return found;
        }

        public async Task<List<JsonElement>> AuditAsync() =>
            [.. (await HubApi.GetAsync(Hub, $"/api/v1/audit?subject=device:{Device.Serial}")).EnumerateArray()];

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _heartbeat;
            _stop.Dispose();
            await Device.DisposeAsync();
            await Hub.DisposeAsync();
            _data.Dispose();
            _dir.Dispose();
        }
    }
}
