using Fleet.Device.Configuration;
using Fleet.Device.Sensors;
using Fleet.Device.Storage;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Device.Link;

/// <summary>Collects readings for <see cref="TelemetryProfile.BatchSeconds"/> and stores each batch in the spool;
/// the link sends from the spool, so a reading survives anything after its batch is written.</summary>
public sealed class TelemetryBatcher(SensorReadings readings, TelemetrySpool spool, AgentProfile profile, ILogger<TelemetryBatcher> logger, TimeProvider? timers = null)
    : BackgroundService
{
    /// <summary>Readings held in memory while the spool cannot be written (disk full, read-only root).</summary>
    private const int MaxPending = 10_000;

    private readonly TimeProvider _timers = timers ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new List<Reading>();
        var period = TimeSpan.FromSeconds(Math.Max(1, profile.Telemetry.BatchSeconds));
        using var timer = new PeriodicTimer(period, _timers);
        var ticking = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        Task<bool>? reading = null;
        try
        {
            while (true)
            {
                // One outstanding wait at a time: the readings channel has a single reader.
                reading ??= readings.Stream.WaitToReadAsync(stoppingToken).AsTask();
                await Task.WhenAny(ticking, reading);
                if (reading.IsCompleted)
                {
                    await reading;
                    reading = null;
                    while (readings.Stream.TryRead(out var r))
                    {
                        pending.Add(r);
                    }
                }

                if (ticking.IsCompleted)
                {
                    await ticking;
                    Flush(pending);
                    ticking = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
            }
        }
        catch (OperationCanceledException)
        {
            while (readings.Stream.TryRead(out var r))
            {
                pending.Add(r);
            }

            Flush(pending);
        }
    }

    private void Flush(List<Reading> pending)
    {
        if (pending.Count == 0)
        {
            return;
        }

        try
        {
            // The hub refuses batches over InboundLimits.MaxReadingsPerBatch; a backlog goes out as several.
            while (pending.Count > 0)
            {
                var take = Math.Min(pending.Count, Fleet.Protocol.Messages.Validation.InboundLimits.MaxReadingsPerBatch);
                spool.Append(pending.GetRange(0, take).ToArray());
                pending.RemoveRange(0, take);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Keep controlling the tank; retry at the next batch, holding a bounded backlog meanwhile.
            logger.LogError("Telemetry spool not writable ({Error}); holding {Count} readings in memory", ex.Message, pending.Count);
            if (pending.Count > MaxPending)
            {
                pending.RemoveRange(0, pending.Count - MaxPending);
            }
        }
    }
}
