using System.Text.Json.Nodes;
using Fleet.Device.Tests.Link;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Fleet.Testing;
using MQTTnet.Protocol;

namespace Fleet.Device.Tests.Health;

/// <summary>The real agent on its simulated board, running the tank's day 600 times faster than real time, with the
/// defects a firmware carries in its manifest's <c>misc.simulationFaults</c>: the health summaries it publishes say
/// what is wrong.</summary>
public sealed class HealthAgentTests : IDisposable
{
    private readonly Link.TestPki _pki = new();
    private readonly List<TempDir> _roots = [];

    [Fact]
    public async Task A_firmware_with_a_stuck_water_thermometer_and_a_jumping_ph_probe_reports_both_and_the_tank_enters_its_fail_safe()
    {
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        var (serial, root) = Prepare(broker, seed: 7, faults: "stuck-water-temperature, jumping-sensor:ph");
        await using var agent = AgentProcess.Start(root.Path, Slot);

        await Eventually.Until(() => broker.Health(serial).Any(h => Water(h).State == HealthStates.Stuck && h.TankState == "fault"),
            "a health summary with water_temperature stuck and the tank in fault", TimeSpan.FromSeconds(90));
        var stuck = broker.Health(serial).First(h => Water(h).State == HealthStates.Stuck && h.TankState == "fault");
        Assert.Contains("for ", Water(stuck).Detail);
        Assert.Equal(FirmwareUuid, stuck.Firmware);
        Assert.True(InboundValidator.Check(stuck).IsValid, InboundValidator.Check(stuck).Message);
        Assert.True(stuck.Restarts >= 1);
        Assert.True(stuck.MemoryBytes > 0);
        // Real time, not the tank's: the tank clock runs 600 times faster.
        Assert.InRange(stuck.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Contains(broker.Published, p => p.Topic == Topics.Health(serial) && p.Qos == MqttQualityOfServiceLevel.AtLeastOnce && !p.Retain);

        await Eventually.Until(async () => (await broker.RetainedStatusAsync(serial))?.TankState == "fault", "the status in fault");
        await Eventually.Until(() => broker.Events(serial).Any(e => e.Kind == EventKinds.Tank && e.Name == "fault" && e.Reason!.Contains("implausible water_temperature stuck")),
            "the fault event naming the stuck thermometer");
        await Eventually.Until(() => broker.Health(serial).Any(h => h.FaultSeconds > 0), "time in fault counted");
        Assert.All(broker.Health(serial), h => Assert.InRange(h.FaultSeconds, 0, h.WindowSeconds));
        await Eventually.Until(() => broker.Health(serial).Any(h => h.Sensors.Single(s => s.Sensor == SensorNames.Ph).State == HealthStates.Jump),
            "the pH probe reported jumping");
        Assert.Contains("of tank time", broker.Health(serial).Last(h => h.Sensors.Single(s => s.Sensor == SensorNames.Ph).State == HealthStates.Jump)
            .Sensors.Single(s => s.Sensor == SensorNames.Ph).Detail);
    }

    [Fact]
    public async Task Reconnections_are_counted_and_restarts_survive_the_agent()
    {
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        var (serial, root) = Prepare(broker, seed: 3, faults: null);
        var first = AgentProcess.Start(root.Path, Slot);
        long restarts;
        try
        {
            await Eventually.Until(() => broker.Health(serial).Count > 0, "a first health summary");
            Assert.Equal(0, broker.Health(serial)[^1].Reconnects);
            restarts = broker.Health(serial)[^1].Restarts;

            await broker.StopAsync();
            var before = broker.Health(serial).Count;
            await broker.StartAsync();
            await Eventually.Until(() => broker.Health(serial).Skip(before).Any(h => h.Reconnects == 1), "a summary counting the reconnection");
        }
        finally
        {
            await first.DisposeAsync();
        }

        var seen = broker.Health(serial).Count;
        await using var second = AgentProcess.Start(root.Path, Slot);
        await Eventually.Until(() => broker.Health(serial).Skip(seen).Any(), "a summary from the restarted agent");
        var restarted = broker.Health(serial).Skip(seen).First();
        Assert.Equal(restarts + 1, restarted.Restarts);
        Assert.Equal(0, restarted.Reconnects);
    }

    [Fact]
    public async Task A_simulation_fault_the_agent_does_not_know_stops_it_with_the_item_and_where_it_came_from()
    {
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        var (_, root) = Prepare(broker, seed: 1, faults: "inverted-heater,exploding-tank");
        await using var agent = AgentProcess.Start(root.Path, Slot);

        await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, agent.ExitCode);
        Assert.Contains("'exploding-tank' is not a simulation fault", agent.StandardError);
        Assert.Contains(root.Combine("slots", "a", "manifest.json") + ": misc.simulationFaults", agent.StandardError);
    }

    [Fact]
    public async Task An_inverted_heater_drives_the_water_temperature_error_up_against_a_healthy_tank_of_the_same_seed()
    {
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        var (healthySerial, healthyRoot) = Prepare(broker, seed: 11, faults: null);
        var (invertedSerial, invertedRoot) = Prepare(broker, seed: 11, faults: "inverted-heater");
        await using var healthy = AgentProcess.Start(healthyRoot.Path, Slot);
        await using var inverted = AgentProcess.Start(invertedRoot.Path, Slot);

        // Six hours of tank time in each (36 s at 600×).
        static bool Covered(IReadOnlyList<HealthSummary> h) => h.Any(s => s.WindowSeconds >= 6 * 3600 && s.Control.WaterTemperatureError is not null);
        await Eventually.Until(() => Covered(broker.Health(healthySerial)) && Covered(broker.Health(invertedSerial)),
            "six hours of tank time summarised by both tanks", TimeSpan.FromSeconds(120));

        var good = broker.Health(healthySerial).Where(s => s.WindowSeconds >= 6 * 3600).Max(s => s.Control.WaterTemperatureError!.Value);
        var bad = broker.Health(invertedSerial).Last(s => s.WindowSeconds >= 6 * 3600).Control.WaterTemperatureError!.Value;
        Assert.True(good < 0.5, $"the healthy tank's water was {good:0.00} °C out of range on average");
        Assert.True(bad > good + 2, $"inverted heater: {bad:0.00} °C out of range against {good:0.00} °C for the healthy tank");
        Assert.Equal(FirmwareUuid, broker.Health(invertedSerial)[^1].Firmware);
        // No false alarm from a healthy tank over hours of its day.
        Assert.All(broker.Health(healthySerial), h => Assert.All(h.Sensors, s => Assert.True(s.State == HealthStates.Ok, $"{s.Sensor} {s.State}: {s.Detail}")));
        // Initializing gives its sensors a real minute, so even at 600× a healthy tank never passes through fault.
        Assert.All(broker.Health(healthySerial), h => Assert.Equal(0, h.FaultSeconds));
    }

    public void Dispose()
    {
        foreach (var root in _roots)
        {
            root.Dispose();
        }
    }

    private const string FirmwareUuid = "5d6c1f0e-3f0a-4c55-9a43-0c1b7e2f9a10";

    private static readonly Dictionary<string, string?> Slot = new() { ["FLEET_SLOT"] = "a" };

    private static SensorHealth Water(HealthSummary h) => h.Sensors.Single(s => s.Sensor == SensorNames.WaterTemperature);

    /// <summary>A device root with a fast profile (health every second, a stuck thermometer noticed after 10 samples)
    /// and slot a holding a manifest whose misc carries <paramref name="faults"/>.</summary>
    private (string Serial, TempDir Root) Prepare(TestBroker broker, int seed, string? faults)
    {
        var root = new TempDir("fleet-agent");
        _roots.Add(root);
        var serial = "tank-" + Guid.NewGuid().ToString("N")[..8];
        var profile = JsonNode.Parse(AgentProcess.FastProfile)!.AsObject();
        profile["simulation"] = new JsonObject { ["speed"] = 600.0, ["seed"] = seed, ["noise"] = 0.002 };
        profile["health"] = new JsonObject
        {
            ["intervalSeconds"] = 1,
            ["sensors"] = new JsonObject { [SensorNames.WaterTemperature] = new JsonObject { ["stuckSamples"] = 10 } },
        };
        File.WriteAllText(root.Combine("agent.json"), profile.ToJsonString());
        var misc = new JsonObject { ["runtime"] = "linux-x64" };
        if (faults is not null)
        {
            misc["simulationFaults"] = faults;
        }

        Directory.CreateDirectory(root.Combine("slots", "a"));
        File.WriteAllText(root.Combine("slots", "a", "manifest.json"), new JsonObject
        {
            ["format"] = 1,
            ["uuid"] = FirmwareUuid,
            ["product"] = "algae-tank",
            ["version"] = "1.0.0",
            ["misc"] = misc,
        }.ToJsonString());
        _pki.Provision(root.Path, serial, broker.TlsPort);
        return (serial, root);
    }
}
