using System.Threading.Channels;
using Fleet.Hub.Devices;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Telemetry;

/// <summary>Queues telemetry batches from devices and writes them in bulk: one transaction per drain of the
/// queue, never one insert per reading. A batch whose sequence the device already delivered is dropped
/// (QoS 1 may deliver twice): <see cref="TelemetryReceipt"/>. A batch is validated before it is queued, and a drain
/// that still fails is written again batch by batch, so one device's bad batch never costs another device's
/// readings. <see cref="HandleAsync"/> returns once a batch is queued; its <see cref="Handled.Stored"/> completes when
/// the drain that took it has committed (or dropped it for good), so the broker is told only then that it arrived.</summary>
internal sealed class TelemetryIngest(IDbContextFactory<HubDb> dbs, DroppedMessages dropped, ILogger<TelemetryIngest> log) : BackgroundService, IInboundHandler
{
    private const int MaxBatchesPerWrite = 500;

    // Bounded so a flood cannot exhaust memory; the broker's QoS 1 flow control pushes back on devices.
    private readonly Channel<Queued> _queue =
        Channel.CreateBounded<Queued>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });

    private sealed record Queued(string Serial, TelemetryBatch Batch, TaskCompletionSource Stored);

    public bool Handles(string kind) => kind == Topics.TelemetryKind;

    public async Task<Handled> HandleAsync(InboundMessage message, CancellationToken ct)
    {
        if (await dropped.AcceptAsync<TelemetryBatch>(message, InboundValidator.Check, ct) is not { } batch)
        {
            return Handled.Done;
        }

        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Queued(message.Serial, batch, stored), ct);
        return new Handled(stored.Task);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var taken = new List<Queued>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                taken.Clear();
                while (taken.Count < MaxBatchesPerWrite && _queue.Reader.TryRead(out var item))
                {
                    taken.Add(item);
                }

                await StoreAsync([.. taken.Select(q => (q.Serial, q.Batch))], stoppingToken);
                foreach (var item in taken)
                {
                    item.Stored.TrySetResult();
                }

                taken.Clear();
            }
        }
        finally
        {
            // Stopping: what was not committed is never acknowledged, so the broker hands it out again.
            foreach (var item in taken)
            {
                item.Stored.TrySetCanceled(CancellationToken.None);
            }

            while (_queue.Reader.TryRead(out var item))
            {
                item.Stored.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    /// <summary>The whole drain in one transaction; if that keeps failing, each batch in its own, so only a batch
    /// the database refuses is lost (counted as <c>store_failed</c>), never the good ones beside it.</summary>
    private async Task StoreAsync(List<(string Serial, TelemetryBatch Batch)> pending, CancellationToken ct)
    {
        try
        {
            await WriteWithRetryAsync(pending, ct);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (pending.Count == 1)
            {
                HubMetrics.MessagesDropped.WithLabels("store_failed").Inc();
                log.LogError(ex, "Could not store telemetry batch {Sequence} of {Serial}; dropped it", pending[0].Batch.Sequence, pending[0].Serial);
                return;
            }

            log.LogWarning("Storing {Count} telemetry batches together failed ({Message}); storing them one by one", pending.Count, ex.Message);
        }

        foreach (var item in pending)
        {
            await StoreAsync([item], ct);
        }
    }

    /// <summary>A transient database error (a lost connection, a deadlock victim) retries the whole drain: the
    /// receipts make a retry of batches that did commit harmless.</summary>
    private async Task WriteWithRetryAsync(List<(string Serial, TelemetryBatch Batch)> pending, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(pending, ct);
                return;
            }
            catch (Exception ex) when (attempt < 3 && ex is DbUpdateException or System.Data.Common.DbException)
            {
                log.LogWarning("Storing {Count} telemetry batches failed ({Message}); retrying", pending.Count, ex.Message);
                await Task.Delay(100 * attempt, ct);
            }
        }
    }

    private async Task WriteAsync(List<(string Serial, TelemetryBatch Batch)> pending, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var serials = pending.Select(p => p.Serial).Distinct().ToList();
        var devices = await db.Devices.AsNoTracking().Where(d => serials.Contains(d.Serial) && !d.Revoked)
            .ToDictionaryAsync(d => d.Serial, d => d.Id, ct);
        var stored = 0;
        var storedBatches = new List<TelemetryBatch>(pending.Count);
        var rows = new List<TelemetryReading>();
        // One lock order on every node, (device, sequence), so two nodes writing at once never deadlock.
        foreach (var (serial, batch) in pending.Where(p => devices.ContainsKey(p.Serial)).OrderBy(p => devices[p.Serial]).ThenBy(p => p.Batch.Sequence))
        {
            var deviceId = devices[serial];

            // Claim the batch by inserting its receipt: with several hub nodes a redelivered batch may reach another
            // node at the same moment, and the key lets exactly one of them claim it (the other waits, then skips).
            // Sequences are not compared: a shared subscription does not keep one device's batches in order.
            var claimed = await db.Database.ExecuteSqlAsync(
                $"INSERT INTO \"TelemetryReceipts\" (\"DeviceId\", \"Sequence\") VALUES ({deviceId}, {batch.Sequence}) ON CONFLICT DO NOTHING", ct);
            if (claimed == 0)
            {
                HubMetrics.MessagesDropped.WithLabels("duplicate").Inc();
                continue;
            }

            await db.Devices.Where(d => d.Id == deviceId && d.LastTelemetrySequence < batch.Sequence)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LastTelemetrySequence, batch.Sequence), ct);
            stored += batch.Readings.Count;
            storedBatches.Add(batch);
            rows.AddRange(batch.Readings.Select(r => new TelemetryReading
            {
                DeviceId = deviceId,
                Sensor = r.Sensor,
                Value = r.Value,
                Unit = r.Unit,
                Ts = r.Ts,
            }));
        }

        await ReadingRows.InsertAsync(db, rows, ct);
        await transaction.CommitAsync(ct);
        HubMetrics.TelemetryBatchesHandled.Inc(pending.Count);
        HubMetrics.TelemetryReadingsStored.Inc(stored);
        var committed = DateTimeOffset.UtcNow;
        foreach (var batch in storedBatches)
        {
            foreach (var reading in batch.Readings)
            {
                HubMetrics.TelemetryIngestLag.Observe(Math.Max(0, (committed - reading.Ts).TotalSeconds));
            }
        }
    }
}
