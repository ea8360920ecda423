using Fleet.Hub.Storage;
using Fleet.Protocol.Trust;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>Re-signs snapshot and timestamp once a day (and at start), so they never expire while the hub runs: a
/// TUF client refuses an expired timestamp (freeze attack), and nobody else holds the online key.</summary>
internal sealed class TrustRefresher(IDbContextFactory<HubDb> dbs, TrustSigner signer, TimeProvider clock, ILogger<TrustRefresher> log) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Refreshing the TUF timestamps failed; trying again within the hour");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Re-signs every product whose timestamp is older than <see cref="Period"/>. Checked hourly, so a
    /// stopped hub or a clock jump catches up soon after.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var due = now + TrustSigner.Lifetime - Period;
        var stale = await db.TrustRoles.AsNoTracking().Where(r => r.Role == TufRoles.Timestamp && r.Expires <= due).Select(r => r.ProductId).ToListAsync(ct);
        foreach (var productId in stale)
        {
            var targets = await db.TrustRoles.AsNoTracking().Where(r => r.ProductId == productId && r.Role == TufRoles.Targets).Select(r => (long?)r.Version).FirstOrDefaultAsync(ct);
            if (targets is { } version)
            {
                await signer.ResignAsync(db, productId, version, now, ct);
            }
        }

        await db.SaveChangesAsync(ct);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
