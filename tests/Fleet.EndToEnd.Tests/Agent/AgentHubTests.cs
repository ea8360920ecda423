using Fleet.Protocol.Messages;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Agent;

/// <summary>The real agent process (<c>--simulate</c>) against the real hub process over mutual TLS on 127.0.0.1:
/// telemetry lands in the hub's database, survives a hub outage and a kill -9 of the agent while offline.</summary>
public sealed class AgentHubTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Telemetry_of_every_sensor_reaches_the_hubs_database()
    {
        await using var hub = await RunningHub.StartAsync();
        await using var tank = await SimulatedTank.ProvisionAsync(hub, "tank-tel");
        tank.StartAgent();

        foreach (var sensor in SensorNames.All)
        {
            await Eventually.Until(async () => (await tank.StoredAsync(hub, sensor)).Count >= 2,
                $"two {sensor} readings stored at the hub\n{tank.AgentOutput()}", Generous);
        }

        var water = await tank.StoredAsync(hub, SensorNames.WaterTemperature);
        Assert.All(water, r => Assert.InRange(r.Value, 5.0, 45.0));
        Assert.All(water, r => Assert.Equal(SensorNames.WaterTemperature, r.Sensor));
    }

    [Fact]
    public async Task Every_reading_taken_while_the_hub_is_down_for_30_s_arrives_once_and_without_a_gap()
    {
        var hub = await RunningHub.StartAsync();
        try
        {
            await using var tank = await SimulatedTank.ProvisionAsync(hub, "tank-outage");
            tank.StartAgent();
            await Eventually.Until(async () => (await tank.StoredAsync(hub, SensorNames.WaterTemperature)).Count >= 3,
                $"water temperature stored before the outage\n{tank.AgentOutput()}", Generous);

            var stoppedAt = DateTimeOffset.UtcNow;
            hub.Process.Signal(Posix.SigTerm);
            await hub.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));

            // The outage itself is what is under test: 30 s of sampling with nobody to take it.
            await Task.Delay(TimeSpan.FromSeconds(30));
            var spooled = tank.SpooledBatches();
            var restartedAt = DateTimeOffset.UtcNow;
            hub = await hub.RestartOnSamePortsAsync();

            // 30 s at one batch per 5 s: at least five batches waited in the spool, with consecutive sequences.
            Assert.True(spooled.Count >= 5, $"only {spooled.Count} batches spooled during the outage\n{tank.AgentOutput()}");
            Assert.Equal(Enumerable.Range(0, spooled.Count).Select(i => spooled[0].Sequence + i), spooled.Select(b => b.Sequence));
            Assert.Equal(0, spooled[^1].Dropped);

            await Eventually.Until(() => tank.SpooledBatches().Count == 0 && Directory.EnumerateFiles(tank.SpoolDir, "*.json").All(f => Path.GetFileName(f) == "state.json"),
                $"the agent to deliver its spool\n{tank.AgentOutput()}", Generous);
            var spooledReadings = spooled.SelectMany(b => b.Readings).ToList();
            await Eventually.Until(async () =>
            {
                var water = await tank.StoredAsync(hub, SensorNames.WaterTemperature);
                return water.Count > 0 && water[^1].Ts > restartedAt.AddSeconds(5);
            }, $"water temperature taken after the restart stored\n{tank.AgentOutput()}", Generous);

            foreach (var sensor in SensorNames.All)
            {
                var stored = (await tank.StoredAsync(hub, sensor)).GroupBy(SimulatedTank.Key).ToDictionary(g => g.Key, g => g.Count());
                foreach (var reading in spooledReadings.Where(r => r.Sensor == sensor))
                {
                    Assert.True(stored.TryGetValue(SimulatedTank.Key(reading), out var n) && n == 1,
                        $"{sensor} at {reading.Ts:O} (spooled) is stored {(stored.TryGetValue(SimulatedTank.Key(reading), out var m) ? m : 0)} times, expected once");
                }
            }

            // No gap in the water-temperature series from before the stop to after the restart beyond the sampling
            // period (plus scheduling slack on a loaded machine), and no timestamp stored twice.
            var series = (await tank.StoredAsync(hub, SensorNames.WaterTemperature))
                .Where(r => r.Ts >= stoppedAt.AddSeconds(-3) && r.Ts <= restartedAt.AddSeconds(5)).ToList();
            Assert.True(series[0].Ts <= stoppedAt && series[^1].Ts >= restartedAt, $"series {series[0].Ts:O}..{series[^1].Ts:O} does not span the outage {stoppedAt:O}..{restartedAt:O}");
            Assert.Equal(series.Count, series.Select(SimulatedTank.Key).Distinct().Count());
            var steps = series.Zip(series.Skip(1), (a, b) => (From: a.Ts, Step: b.Ts - a.Ts)).ToList();
            var widest = steps.MaxBy(s => s.Step);
            Assert.True(widest.Step < SamplingSlack, $"gap of {widest.Step.TotalMilliseconds:0} ms after {widest.From:O} (sampling period {SimulatedTank.SamplingPeriod.TotalMilliseconds:0} ms)");
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_agent_killed_with_minus_9_while_offline_keeps_its_spool_and_delivers_it_after_restart()
    {
        var hub = await RunningHub.StartAsync();
        try
        {
            await using var tank = await SimulatedTank.ProvisionAsync(hub, "tank-kill");
            var first = tank.StartAgent();
            await Eventually.Until(async () => (await tank.StoredAsync(hub, SensorNames.WaterTemperature)).Count >= 1,
                $"water temperature stored while online\n{tank.AgentOutput()}", Generous);

            hub.Process.Signal(Posix.SigTerm);
            await hub.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
            await Eventually.Until(() => tank.SpooledBatches().Count >= 2, $"two batches spooled while offline\n{tank.AgentOutput()}", Generous);

            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var killedAt = DateTimeOffset.UtcNow;
            var survived = tank.SpooledBatches();
            Assert.True(survived.Count >= 2, $"{survived.Count} batches left in the spool after kill -9");
            await first.DisposeAsync();

            tank.StartAgent();
            hub = await hub.RestartOnSamePortsAsync();

            await Eventually.Until(() => survived.All(b => !File.Exists(Path.Combine(tank.SpoolDir, $"{b.Sequence}.json"))
                                                           && !tank.SpooledBatches().Any(s => s.Sequence == b.Sequence)),
                $"the restarted agent to deliver the batches spooled before the kill\n{tank.AgentOutput()}", Generous);

            var beforeKill = survived.SelectMany(b => b.Readings).ToList();
            Assert.All(beforeKill, r => Assert.True(r.Ts < killedAt, $"{r.Sensor} at {r.Ts:O} is not from before the kill at {killedAt:O}"));
            foreach (var sensor in SensorNames.All)
            {
                var expected = beforeKill.Where(r => r.Sensor == sensor).ToList();
                Assert.NotEmpty(expected);
                await Eventually.Until(async () =>
                {
                    var stored = (await tank.StoredAsync(hub, sensor)).Select(SimulatedTank.Key).ToHashSet();
                    return expected.All(r => stored.Contains(SimulatedTank.Key(r)));
                }, $"every {sensor} reading spooled before the kill stored at the hub", Generous);
                var counts = (await tank.StoredAsync(hub, sensor)).GroupBy(SimulatedTank.Key).ToDictionary(g => g.Key, g => g.Count());
                Assert.All(expected, r => Assert.Equal(1, counts[SimulatedTank.Key(r)]));
            }
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    /// <summary>The widest step allowed between two consecutive water-temperature readings.</summary>
    private static TimeSpan SamplingSlack => SimulatedTank.SamplingPeriod * 2;
}
