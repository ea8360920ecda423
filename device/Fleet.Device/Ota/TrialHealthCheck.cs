using Fleet.Device.Link;
using Fleet.Device.Sensors;
using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Ota;

/// <summary>What a trial start must show before it is committed (DESIGN.md): the hub is reachable, every sensor
/// was read at least once, and the tank machine is stepping. Returns null when healthy, else what is missing.</summary>
internal sealed class TrialHealthCheck(IDeviceLink link, SensorReadings readings, TankController tank, TimeProvider clock)
{
    public string? Problem()
    {
        var missing = new List<string>();
        if (!link.IsConnected)
        {
            missing.Add("hub not reachable");
        }

        var now = clock.GetUtcNow();
        // "Read at least once" since this start: any age counts, the readings store starts empty at every start.
        var unread = SensorNames.All.Where(s => !readings.TryGetFresh(s, now, TimeSpan.FromDays(3650), out _)).ToList();
        if (unread.Count > 0)
        {
            missing.Add($"sensors never read: {string.Join(", ", unread)}");
        }

        if (tank.LastStep == 0)
        {
            missing.Add("tank machine not running");
        }

        return missing.Count == 0 ? null : string.Join("; ", missing);
    }

    public async Task<string?> WaitHealthyAsync(TimeSpan limit, CancellationToken ct)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        string? problem;
        while ((problem = Problem()) is not null)
        {
            if (TimeProvider.System.GetElapsedTime(deadline) > limit)
            {
                return $"health check failed after {limit.TotalSeconds:0} s: {problem}";
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }

        return null;
    }
}
