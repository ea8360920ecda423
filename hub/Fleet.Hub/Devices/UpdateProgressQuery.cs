using Fleet.Hub.Storage;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Devices;

/// <summary>Reads each device's latest update event, which is what its progress bar shows.</summary>
internal sealed class UpdateProgressQuery(IDbContextFactory<HubDb> dbs)
{
    public async Task<IReadOnlyDictionary<string, UpdateProgress>> LatestAsync(IReadOnlyCollection<string> serials, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var devices = await db.Devices.AsNoTracking().Where(d => serials.Contains(d.Serial)).Select(d => new { d.Id, d.Serial }).ToListAsync(ct);
        var ids = devices.Select(d => d.Id).ToList();
        var latestIds = await db.DeviceEvents.AsNoTracking()
            .Where(e => ids.Contains(e.DeviceId) && e.Kind == EventKinds.Update)
            .GroupBy(e => e.DeviceId).Select(g => g.Max(e => e.Id)).ToListAsync(ct);
        var events = await db.DeviceEvents.AsNoTracking().Where(e => latestIds.Contains(e.Id)).ToListAsync(ct);
        var serialOf = devices.ToDictionary(d => d.Id, d => d.Serial);
        return events.ToDictionary(
            e => serialOf[e.DeviceId],
            e => new UpdateProgress(serialOf[e.DeviceId], e.Name, e.Progress, e.FirmwareVersion, e.Reason, e.ReceivedAt));
    }
}
