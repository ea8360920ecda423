using Fleet.Protocol.Messages;
using Fleet.Testing;

namespace Fleet.Device.Tests.Link;

/// <summary>Faults switched on in a running simulated agent (ROOT/sim/faults.json) as the hub sees them.</summary>
public sealed class SimulatedFaultTests : IDisposable
{
    private readonly TempDir _root = new("fleet-agent");
    private readonly TestPki _pki = new();
    private readonly string _serial = "tank-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_nacking_adc_is_reported_and_its_sensors_vanish_from_telemetry_while_the_tank_fails_safe_without_its_thermometer()
    {
        AgentProcess.Prepare(_root.Path);
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        _pki.Provision(_root.Path, _serial, broker.TlsPort);
        await using var agent = AgentProcess.Start(_root.Path);
        await Eventually.Until(async () => (await broker.RetainedStatusAsync(_serial))?.TankState == "growing", "growing");

        Directory.CreateDirectory(_root.Combine("sim"));
        File.WriteAllText(_root.Combine("sim", "faults.json"), """{"Adc":"Nack"}""");
        await Eventually.Until(() => broker.Events(_serial).Count(e => e.Kind == EventKinds.Sensor && e.Name == SensorNames.Ph) >= 2, "pH fault events");
        var firstFault = broker.Events(_serial).First(e => e.Kind == EventKinds.Sensor && e.Name == SensorNames.Ph).Ts;
        var batchesAtFault = broker.Telemetry(_serial).Count;
        await Eventually.Until(() => broker.Telemetry(_serial).Count >= batchesAtFault + 3, "three more batches");

        var later = broker.Telemetry(_serial).Skip(batchesAtFault).SelectMany(b => b.Readings).ToList();
        Assert.DoesNotContain(later, r => r.Sensor == SensorNames.Ph && r.Ts > firstFault);
        Assert.Contains(later, r => r.Sensor == SensorNames.WaterTemperature);
        Assert.Contains("Remote I/O error", broker.Events(_serial).First(e => e.Name == SensorNames.Ph).Reason);

        File.WriteAllText(_root.Combine("sim", "faults.json"), """{"Adc":"None","WaterThermometer":"Disconnected"}""");
        await Eventually.Until(async () => (await broker.RetainedStatusAsync(_serial))?.TankState == "fault", "tank in fault");
        // The event and the retained status travel separately: wait for the event rather than race it.
        await Eventually.Until(() => broker.Events(_serial).Any(e => e.Kind == EventKinds.Tank && e.Name == "fault" && e.Reason!.Contains("water_temperature")), "the fault event naming the lost thermometer");

        File.WriteAllText(_root.Combine("sim", "faults.json"), "{}");
        await Eventually.Until(async () => (await broker.RetainedStatusAsync(_serial))?.TankState == "growing", "growing again");
    }

    public void Dispose() => _root.Dispose();
}
