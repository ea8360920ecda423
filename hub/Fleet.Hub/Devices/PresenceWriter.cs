using System.Threading.Channels;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Devices;

/// <summary>Writes presence (online, last seen) and the connection history in bulk, off the broker's connect path.
/// Written inline, every connect was a write transaction of its own; under a reconnect storm they queued on SQLite's
/// single writer, and Microsoft.Data.Sqlite waits for a busy database by sleeping on the calling thread, so the
/// broker's thread-pool threads slept instead of finishing TLS handshakes. One drain of the queue is one transaction;
/// the order of one device's changes is kept.</summary>
internal sealed class PresenceWriter(IDbContextFactory<HubDb> dbs, DeviceChanges changes, ILogger<PresenceWriter> log) : BackgroundService
{
    private const int MaxChangesPerWrite = 1000;

    private readonly Channel<PresenceChange> _queue = Channel.CreateUnbounded<PresenceChange>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(string serial, bool online, DateTimeOffset at) => _queue.Writer.TryWrite(new PresenceChange(serial, online, at));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new List<PresenceChange>();
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            pending.Clear();
            while (pending.Count < MaxChangesPerWrite && _queue.Reader.TryRead(out var change))
            {
                pending.Add(change);
            }

            await WriteWithRetryAsync(pending, stoppingToken);
            foreach (var serial in pending.Select(p => p.Serial).Distinct())
            {
                changes.PresenceWritten(serial);
            }
        }
    }

    private async Task WriteWithRetryAsync(List<PresenceChange> pending, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(pending, ct);
                return;
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
            {
                if (attempt >= 3)
                {
                    log.LogError(ex, "Could not store {Count} presence changes", pending.Count);
                    return;
                }

                log.LogWarning("Storing {Count} presence changes failed ({Message}); retrying", pending.Count, ex.Message);
                await Task.Delay(100 * attempt, ct);
            }
        }
    }

    private async Task WriteAsync(List<PresenceChange> pending, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var serials = pending.Select(p => p.Serial).Distinct().ToList();
        var ids = await db.Devices.AsNoTracking().Where(d => serials.Contains(d.Serial)).ToDictionaryAsync(d => d.Serial, d => d.Id, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        // The last change of each device decides its state; a revoked device is never marked online again.
        foreach (var group in pending.Where(p => ids.ContainsKey(p.Serial)).GroupBy(p => p.Serial).Select(g => g.Last()).GroupBy(p => p.Online))
        {
            var online = group.Key;
            var at = group.Max(p => p.At);
            var members = group.Select(p => ids[p.Serial]).ToList();
            await db.Devices.Where(d => members.Contains(d.Id) && !d.Revoked)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, online).SetProperty(d => d.LastSeen, at), ct);
        }

        // Kept as events so the device page can show its connection history.
        db.DeviceEvents.AddRange(pending.Where(p => ids.ContainsKey(p.Serial)).Select(p => new DeviceEventRecord
        {
            DeviceId = ids[p.Serial],
            Kind = DeviceRegistry.ConnectionEventKind,
            Name = p.Online ? "connected" : "disconnected",
            Ts = p.At,
            ReceivedAt = p.At,
        }));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private sealed record PresenceChange(string Serial, bool Online, DateTimeOffset At);
}
