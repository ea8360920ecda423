using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Telemetry;

/// <summary>The Telemetry facade's read side.</summary>
internal sealed class TelemetryQuery(IDbContextFactory<HubDb> dbs)
{
    public async Task<IReadOnlyList<TelemetryReading>> RecentAsync(string serial, string? sensor, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Telemetry.AsNoTracking().Where(r => db.Devices.Any(d => d.Id == r.DeviceId && d.Serial == serial));
        if (sensor is not null)
        {
            q = q.Where(r => r.Sensor == sensor);
        }

        return await q.OrderByDescending(r => r.Ts).ThenByDescending(r => r.Id).Take(Math.Clamp(limit, 1, 10_000)).ToListAsync(ct);
    }
}
