using Fleet.Hub.Deployments;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Rollouts;

/// <summary>The Rollouts read facade: <see cref="GetAsync"/> answers "where is group G's rollout?" for the API, the CLI
/// (<c>fleet deployment show</c>) and the web UI.</summary>
internal sealed class RolloutProgressQuery(IDbContextFactory<HubDb> dbs, TimeProvider clock)
{
    public async Task<Outcome<RolloutProgress>> GetAsync(string groupName, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var group = await db.DeploymentGroups.AsNoTracking().Include(g => g.Product).Include(g => g.Firmware).FirstOrDefaultAsync(g => g.Name == groupName, ct);
        if (group?.Firmware is null || group.Product is null)
        {
            return DeploymentCatalog.Unknown(groupName);
        }

        var attempts = await db.RolloutAttempts.AsNoTracking()
            .Where(a => a.DeploymentGroupId == group.Id && a.FirmwareUuid == group.Firmware.Uuid).OrderBy(a => a.Id).ToListAsync(ct);
        var devices = await db.Devices.AsNoTracking().Where(d => d.ProductId == group.ProductId && !d.Revoked).OrderBy(d => d.Serial).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var rows = new List<DeviceRollout>();
        foreach (var d in devices)
        {
            var mine = attempts.Where(a => a.Serial == d.Serial).ToList();
            var latest = mine.LastOrDefault();
            var onTarget = d.FirmwareUuid == group.Firmware.Uuid;
            if (latest is null && !GroupTargeting.Targets(group, d) && !onTarget)
            {
                continue;
            }

            var status = latest?.State switch
            {
                AttemptState.InFlight => DeviceRolloutStatus.InFlight,
                AttemptState.Soaking => DeviceRolloutStatus.Soaking,
                AttemptState.Committed => DeviceRolloutStatus.Committed,
                AttemptState.RolledBack => DeviceRolloutStatus.RolledBack,
                AttemptState.Failed or AttemptState.TimedOut => DeviceRolloutStatus.Failed,
                _ => onTarget ? DeviceRolloutStatus.Committed : DeviceRolloutStatus.Pending,
            };
            var soaking = latest?.State == AttemptState.Soaking;
            if (d.PenaltyUntil is { } until && until > now && status is not (DeviceRolloutStatus.InFlight or DeviceRolloutStatus.Soaking))
            {
                status = DeviceRolloutStatus.PenaltyBox;
            }

            rows.Add(new DeviceRollout(d.Serial, status, latest?.Stage, latest?.Progress, d.FirmwareVersion, d.Online, latest?.Reason,
                d.PenaltyUntil is { } u && u > now ? u : null, mine.Count, mine.Sum(a => a.ChunksRequested),
                soaking ? latest!.SoakUntil : null,
                soaking && latest!.SoakUntil is { } end ? Math.Max(0, Math.Ceiling((end - now).TotalSeconds)) : null,
                soaking ? latest!.SoakNote : null,
                latest?.Failure is { } failure ? AttemptFailures.Name(failure) : null));
        }

        int Count(string s) => rows.Count(r => r.Status == s);
        var counts = new RolloutCounts(rows.Count, Count(DeviceRolloutStatus.Pending), Count(DeviceRolloutStatus.InFlight),
            Count(DeviceRolloutStatus.Committed), Count(DeviceRolloutStatus.Failed), Count(DeviceRolloutStatus.RolledBack), Count(DeviceRolloutStatus.PenaltyBox), Count(DeviceRolloutStatus.Soaking));
        return new RolloutProgress(group.Name, group.Firmware.Uuid, group.Firmware.Version, group.Paused, group.PauseReason, counts, rows,
            [.. attempts.Select(AttemptView.Of)], group.SoakSeconds,
            group.Firmware.QuarantinedAt is not null ? $"quarantined since {group.Firmware.QuarantinedAt:u}: {group.Firmware.QuarantineReason}" : null,
            group.MaintenanceWindow,
            GroupTargeting.Window(group) is { } window ? window.IsOpen(now) : null,
            GroupTargeting.Window(group) is { } w && !w.IsOpen(now) ? w.NextOpen(now) : null);
    }

    /// <summary>Every attempt to update one device, newest first (group rollouts and one-device pushes).</summary>
    public async Task<IReadOnlyList<AttemptView>> AttemptsOfDeviceAsync(string serial, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var attempts = await db.RolloutAttempts.AsNoTracking().Where(a => a.Serial == serial).OrderByDescending(a => a.Id).Take(100).ToListAsync(ct);
        return [.. attempts.Select(AttemptView.Of)];
    }
}
