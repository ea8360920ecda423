using Fleet.Hub.Devices;
using Fleet.Hub.Storage;
using Fleet.Hub.Telemetry;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Hub.Tests.Telemetry;

/// <summary>The stored health summaries on a migrated SQLite database: retention keeps a week and at most
/// <see cref="HealthRetention.MaxPerDevice"/> per device, and the gate's query returns samples per metric for the
/// devices, firmware and hub-clock range asked.</summary>
public sealed class HealthStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();
    private readonly Factory _dbs;

    public HealthStoreTests()
    {
        _dbs = new Factory(new DbContextOptionsBuilder<HubDb>().UseSqlite($"Data Source={_dir.Combine("hub.db")};Pooling=False").Options);
    }

    [Fact]
    public async Task Retention_removes_summaries_older_than_a_week_and_beyond_the_cap_per_device_keeping_the_newest()
    {
        var (a, b) = await DevicesAsync();
        await using (var db = _dbs.CreateDbContext())
        {
            db.Health.Add(HealthIngest.ToRecord(a, Now.AddDays(-8), Summary(1)));
            db.Health.AddRange(Enumerable.Range(0, HealthRetention.MaxPerDevice + 5).Select(i => HealthIngest.ToRecord(b, Now.AddMinutes(-i), Summary(i))));
            db.Health.Add(HealthIngest.ToRecord(a, Now.AddDays(-6), Summary(2)));
            await db.SaveChangesAsync();
        }

        var removed = await new HealthRetention(_dbs, new FixedClock(Now), NullLogger<HealthRetention>.Instance).PruneAsync(CancellationToken.None);

        Assert.Equal(1 + 5, removed);
        await using var check = _dbs.CreateDbContext();
        Assert.Equal([2L], await check.Health.Where(h => h.DeviceId == a).Select(h => h.Restarts).ToListAsync());
        var kept = await check.Health.Where(h => h.DeviceId == b).Select(h => h.Restarts).ToListAsync();
        Assert.Equal(HealthRetention.MaxPerDevice, kept.Count);
        // The newest rows were added first (i = 0 is now): the cap keeps the last written, i.e. the highest ids.
        Assert.Equal(5, kept.Min());
    }

    [Fact]
    public async Task Metric_samples_come_per_metric_for_the_devices_firmware_and_range_asked_oldest_first()
    {
        var (a, b) = await DevicesAsync();
        await using (var db = _dbs.CreateDbContext())
        {
            db.Health.Add(HealthIngest.ToRecord(a, Now.AddMinutes(-30), Summary(1, "fw-new", waterError: 0.5)));
            db.Health.Add(HealthIngest.ToRecord(a, Now.AddMinutes(-10), Summary(2, "fw-new", waterError: 4.0)));
            db.Health.Add(HealthIngest.ToRecord(a, Now.AddMinutes(-20), Summary(3, "fw-old", waterError: 0.1)));
            db.Health.Add(HealthIngest.ToRecord(b, Now.AddMinutes(-15), Summary(4, "fw-new", waterError: null)));
            db.Health.Add(HealthIngest.ToRecord(b, Now.AddHours(-3), Summary(5, "fw-new", waterError: 9)));
            await db.SaveChangesAsync();
        }

        var query = new HealthQuery(_dbs);
        var samples = await query.MetricSamplesAsync(["tank-a", "tank-b", "tank-none"], "fw-new", Now.AddHours(-1), Now, CancellationToken.None);

        Assert.Equal([0.5, 4.0], samples[HealthMetric.WaterTemperatureError].Select(s => s.Value));
        Assert.All(samples[HealthMetric.WaterTemperatureError], s => Assert.Equal("tank-a", s.Serial));
        Assert.Equal([("tank-a", 1.0), ("tank-b", 4.0), ("tank-a", 2.0)], samples[HealthMetric.Restarts].Select(s => (s.Serial, s.Value)));
        Assert.Equal([1.0, 1.0, 1.0], samples[HealthMetric.UnhealthySensors].Select(s => s.Value));
        Assert.All(Enum.GetValues<HealthMetric>(), m => Assert.True(samples.ContainsKey(m), $"no entry for {m}"));

        var anyFirmware = await query.MetricSamplesAsync(["tank-a"], null, Now.AddHours(-1), Now, CancellationToken.None);
        Assert.Equal(3, anyFirmware[HealthMetric.Restarts].Count);

        var recent = await query.RecentAsync("tank-b", 10, CancellationToken.None);
        Assert.Equal([5L, 4L], recent.Select(r => r.Summary.Restarts));
        Assert.Equal(HealthStates.Jump, recent[0].Summary.Sensors.Single(s => s.Sensor == SensorNames.Ph).State);
    }

    public void Dispose() => _dir.Dispose();

    private static HealthSummary Summary(long restarts, string? firmware = "fw-1", double? waterError = 0.25) =>
        new(Now, firmware, 3600, [new SensorHealth(SensorNames.WaterTemperature, HealthStates.Ok), new SensorHealth(SensorNames.Ph, HealthStates.Jump, "7.8 -> 10.8")],
            "growing", 0, 0, new ControlQuality(waterError, 1, 2, 3), restarts, 0, 1000);

    private async Task<(int A, int B)> DevicesAsync()
    {
        await using var db = _dbs.CreateDbContext();
        await db.Database.MigrateAsync();
        var product = new Fleet.Hub.Products.Product { Name = "tank" };
        db.Products.Add(product);
        await db.SaveChangesAsync();
        var a = new Device { Serial = "tank-a", ProductId = product.Id, CertificateFingerprint = "aa" };
        var b = new Device { Serial = "tank-b", ProductId = product.Id, CertificateFingerprint = "bb" };
        db.Devices.AddRange(a, b);
        await db.SaveChangesAsync();
        return (a.Id, b.Id);
    }

    private sealed class Factory(DbContextOptions<HubDb> options) : IDbContextFactory<HubDb>
    {
        public HubDb CreateDbContext() => new(options);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
