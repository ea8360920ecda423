using Fleet.Device.Commands;
using Fleet.Device.Configuration;
using Fleet.Device.Link;
using Fleet.Device.Sensors;
using Fleet.Device.Storage;
using Fleet.Device.Tank;
using Fleet.Device.Tests.Link;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Device.Tests.Host;

public sealed class AgentHealthTests : IDisposable
{
    private readonly TempDir _root = new();
    private readonly SensorReadings _readings = new();
    private readonly EventOutbox _events = new();
    private readonly AgentProfile _profile = new();

    [Fact]
    public async Task Healthy_only_with_the_hub_connected_critical_sensors_fresh_and_the_tank_stepping()
    {
        var pki = new TestPki();
        await using var broker = new TestBroker(pki);
        await broker.StartAsync();
        pki.Provision(_root.Path, "tank-health", broker.TlsPort);
        var tank = new TankController(_readings, new FakeRelays(), _events, TimeProvider.System, new TankStore(_root.Path),
            _profile.Sampling, TimeSpan.FromSeconds(5), NullLogger<TankController>.Instance);
        using var link = new DeviceLink(new DeviceRoot(_root.Path), _profile, new TelemetrySpool(_root.Combine("spool"), 10), _events, tank,
            new SlotFirmwareInfo(new DeviceRoot(_root.Path)), Array.Empty<ICommandHandler>(), TimeProvider.System, NullLogger<DeviceLink>.Instance);
        var health = new AgentHealth(link, _readings, tank, _profile.Sampling, TimeProvider.System);

        var cold = health.Check();
        Assert.False(cold.HubReachable || cold.SensorsReading || cold.TankRunning);

        Feed();
        tank.Step();
        var offline = health.Check();
        Assert.True(offline.SensorsReading && offline.TankRunning);
        Assert.False(offline.Healthy);

        await link.StartAsync(CancellationToken.None);
        await Eventually.Until(() => link.IsConnected, "link connected");
        Feed();
        tank.Step();
        Assert.True(health.Check().Healthy);
        await link.StopAsync(CancellationToken.None);
    }

    public void Dispose() => _root.Dispose();

    private void Feed()
    {
        var now = DateTimeOffset.UtcNow;
        _readings.Accept(new Reading(SensorNames.WaterTemperature, 26, "degC", now));
        _readings.Accept(new Reading(SensorNames.WaterLevel, 1, "full", now));
    }
}
