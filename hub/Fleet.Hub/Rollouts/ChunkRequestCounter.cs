using System.Collections.Concurrent;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Rollouts;

/// <summary>Counts chunk indexes devices request, in memory on the delivery path, and adds them to the latest attempt
/// of that device and firmware at most about once a second: a database write per <c>fw/req</c> would cost more than
/// the chunks themselves.</summary>
internal sealed class ChunkRequestCounter(IDbContextFactory<HubDb> dbs)
{
    private readonly ConcurrentDictionary<(string Serial, string Uuid), int> _pending = new();
    private long _lastFlush = TimeProvider.System.GetTimestamp();

    public void Add(string serial, string uuid, int count) => _pending.AddOrUpdate((serial, uuid), count, (_, n) => n + count);

    public bool Due => TimeProvider.System.GetElapsedTime(Interlocked.Read(ref _lastFlush)) >= TimeSpan.FromSeconds(1);

    public async Task FlushAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _lastFlush, TimeProvider.System.GetTimestamp());
        foreach (var key in _pending.Keys)
        {
            if (!_pending.TryRemove(key, out var count) || count == 0)
            {
                continue;
            }

            await using var db = await dbs.CreateDbContextAsync(ct);
            var id = await db.RolloutAttempts.Where(a => a.Serial == key.Serial && a.FirmwareUuid == key.Uuid)
                .OrderByDescending(a => a.Id).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
            if (id is not null)
            {
                await db.RolloutAttempts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.ChunksRequested, a => a.ChunksRequested + count), ct);
            }
        }
    }
}
