using Fleet.Hub.Storage;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Telemetry;

/// <summary>The figures of a health summary a gate can compare between devices.</summary>
public enum HealthMetric
{
    WaterTemperatureError,
    PhInRange,
    OxygenSwing,
    TurbiditySlope,
    AlarmSeconds,
    FaultSeconds,
    UnhealthySensors,
    Restarts,
    Reconnects,
    MemoryBytes,
}

/// <summary>A stored summary as the API serves it: when the hub received it, and what the device said.</summary>
public sealed record StoredHealth(DateTimeOffset ReceivedAt, HealthSummary Summary);

/// <summary>One value of one metric from one summary. <see cref="ReceivedAt"/> is the hub's clock.</summary>
public sealed record HealthSample(string Serial, string? Firmware, DateTimeOffset ReceivedAt, double WindowSeconds, double Value);

/// <summary>The Telemetry facade's read side of health.</summary>
internal sealed class HealthQuery(IDbContextFactory<HubDb> dbs)
{
    public const int MaxLimit = 1000;

    /// <summary>The device's newest summaries, newest first.</summary>
    public async Task<IReadOnlyList<StoredHealth>> RecentAsync(string serial, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = await db.Health.AsNoTracking()
            .Where(h => db.Devices.Any(d => d.Id == h.DeviceId && d.Serial == serial))
            .OrderByDescending(h => h.Id).Take(Math.Clamp(limit, 1, MaxLimit)).ToListAsync(ct);
        return [.. rows.Select(r => new StoredHealth(r.ReceivedAt, HealthIngest.ToSummary(r)))];
    }

    /// <summary>For a soak: the summaries the hub received from the device since <paramref name="from"/> (hub clock) while it
    /// ran <paramref name="firmwareUuid"/>, oldest first, at most <see cref="MaxLimit"/>.</summary>
    public async Task<IReadOnlyList<StoredHealth>> SinceAsync(string serial, string firmwareUuid, DateTimeOffset from, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = await db.Health.AsNoTracking()
            .Where(h => db.Devices.Any(d => d.Id == h.DeviceId && d.Serial == serial) && h.Firmware == firmwareUuid && h.ReceivedAt >= from)
            .OrderBy(h => h.Id).Take(MaxLimit).ToListAsync(ct);
        return [.. rows.Select(r => new StoredHealth(r.ReceivedAt, HealthIngest.ToSummary(r)))];
    }

    /// <summary>For a canary gate: every summary the hub received from <paramref name="serials"/> in
    /// [<paramref name="from"/>, <paramref name="to"/>) (hub clock), while they ran <paramref name="firmwareUuid"/> (null:
    /// whatever they ran), as samples per metric, oldest first. A summary without a figure (no reading of its sensor in
    /// the window) gives no sample of that metric.</summary>
    public async Task<IReadOnlyDictionary<HealthMetric, IReadOnlyList<HealthSample>>> MetricSamplesAsync(
        IReadOnlyCollection<string> serials, string? firmwareUuid, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var names = serials.Distinct().ToList();
        var devices = await db.Devices.AsNoTracking().Where(d => names.Contains(d.Serial)).ToDictionaryAsync(d => d.Id, d => d.Serial, ct);
        var ids = devices.Keys.ToList();
        var q = db.Health.AsNoTracking().Where(h => ids.Contains(h.DeviceId) && h.ReceivedAt >= from && h.ReceivedAt < to);
        if (firmwareUuid is not null)
        {
            q = q.Where(h => h.Firmware == firmwareUuid);
        }

        var rows = await q.OrderBy(h => h.ReceivedAt).ThenBy(h => h.Id).ToListAsync(ct);
        var samples = Enum.GetValues<HealthMetric>().ToDictionary(m => m, _ => new List<HealthSample>());
        foreach (var r in rows)
        {
            foreach (var metric in Enum.GetValues<HealthMetric>())
            {
                if (ValueOf(r, metric) is { } v)
                {
                    samples[metric].Add(new HealthSample(devices[r.DeviceId], r.Firmware, r.ReceivedAt, r.WindowSeconds, v));
                }
            }
        }

        return samples.ToDictionary(p => p.Key, p => (IReadOnlyList<HealthSample>)p.Value);
    }

    private static double? ValueOf(HealthRecord r, HealthMetric metric) => metric switch
    {
        HealthMetric.WaterTemperatureError => r.WaterTemperatureError,
        HealthMetric.PhInRange => r.PhInRange,
        HealthMetric.OxygenSwing => r.OxygenSwing,
        HealthMetric.TurbiditySlope => r.TurbiditySlope,
        HealthMetric.AlarmSeconds => r.AlarmSeconds,
        HealthMetric.FaultSeconds => r.FaultSeconds,
        HealthMetric.UnhealthySensors => r.UnhealthySensors,
        HealthMetric.Restarts => r.Restarts,
        HealthMetric.Reconnects => r.Reconnects,
        HealthMetric.MemoryBytes => r.MemoryBytes,
        _ => null,
    };
}
