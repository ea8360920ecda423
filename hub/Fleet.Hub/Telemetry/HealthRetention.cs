using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Telemetry;

/// <summary>Bounds the stored health summaries: none older than <see cref="MaxAge"/> (by the hub's clock), and at most
/// <see cref="MaxPerDevice"/> per device (a device at the protocol's limit of one a second cannot fill the disk). Runs
/// at start and every <see cref="Every"/>.</summary>
internal sealed class HealthRetention(IDbContextFactory<HubDb> dbs, TimeProvider clock, ILogger<HealthRetention> log) : BackgroundService
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);
    public const int MaxPerDevice = 10_000;
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(10);

    /// <summary>One pass; returns the rows removed.</summary>
    public async Task<int> PruneAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var cutoff = clock.GetUtcNow() - MaxAge;
        var removed = await db.Health.Where(h => h.ReceivedAt < cutoff).ExecuteDeleteAsync(ct);
        var crowded = await db.Health.GroupBy(h => h.DeviceId).Where(g => g.Count() > MaxPerDevice).Select(g => g.Key).ToListAsync(ct);
        foreach (var deviceId in crowded)
        {
            var keepFrom = await db.Health.Where(h => h.DeviceId == deviceId).OrderByDescending(h => h.Id).Skip(MaxPerDevice - 1).Select(h => h.Id).FirstAsync(ct);
            removed += await db.Health.Where(h => h.DeviceId == deviceId && h.Id < keepFrom).ExecuteDeleteAsync(ct);
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        do
        {
            try
            {
                var removed = await PruneAsync(stoppingToken);
                if (removed > 0)
                {
                    log.LogInformation("Pruned {Count} health summaries (older than {Days} days or beyond {Max} per device)", removed, MaxAge.TotalDays, MaxPerDevice);
                }
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
            {
                log.LogWarning("Pruning health summaries failed ({Message}); trying again in {Minutes} min", ex.Message, Every.TotalMinutes);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
