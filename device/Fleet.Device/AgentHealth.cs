using Fleet.Device.Configuration;
using Fleet.Device.Link;
using Fleet.Device.Sensors;
using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device;

/// <summary>The trial health check of DESIGN.md's update flow in one place: hub reachable, sensors read, tank
/// machine running. The OTA work commits a trial slot only when <see cref="Check"/> says healthy.</summary>
public sealed class AgentHealth(IDeviceLink link, SensorReadings readings, TankController tank, SamplingProfile sampling, TimeProvider clock)
{
    public HealthReport Check()
    {
        var now = clock.GetUtcNow();
        var fresh = TimeSpan.FromMilliseconds(3 * sampling.IntervalMs) + TimeSpan.FromSeconds(2);
        var reading = SensorNames.All.Where(s => readings.TryGetFresh(s, now, fresh, out _)).ToList();
        var sinceStep = tank.LastStep == 0 ? TimeSpan.MaxValue : TimeProvider.System.GetElapsedTime(tank.LastStep);
        return new HealthReport(
            HubReachable: link.IsConnected,
            SensorsReading: reading.Contains(SensorNames.WaterTemperature) && reading.Contains(SensorNames.WaterLevel),
            TankRunning: sinceStep < TimeSpan.FromMilliseconds(3 * sampling.ControlIntervalMs) + TimeSpan.FromSeconds(2),
            FreshSensors: reading);
    }
}
