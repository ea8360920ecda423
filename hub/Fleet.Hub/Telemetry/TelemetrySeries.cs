using System.Data;
using System.Data.Common;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Fleet.Hub.Telemetry;

/// <summary>Downsampled telemetry for charts: the database groups readings into <c>buckets</c> time slots and returns
/// min/avg/max per slot, so a day of 1 Hz data from 8 sensors (~700k rows) comes back as a few hundred rows.</summary>
internal sealed class TelemetrySeries(IDbContextFactory<HubDb> dbs)
{
    // The Ts column holds DateTimeOffsetToBinaryConverter's long (see HubDb); it grows linearly with UTC time
    // for the zero offsets devices send, so slots are computed on the stored value itself and the index is used.
    private static readonly DateTimeOffsetToBinaryConverter Stored = new();

    public async Task<IReadOnlyList<TelemetryBucket>> BucketsAsync(string serial, DateTimeOffset from, DateTimeOffset to, int buckets, CancellationToken ct)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        buckets = Math.Clamp(buckets, 1, 2000);
        var width = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, (to - from).Ticks / buckets));
        var fromStored = ToStored(from);
        var widthStored = ToStored(from + width) - fromStored;

        await using var db = await dbs.CreateDbContextAsync(ct);
        var deviceId = await db.Devices.Where(d => d.Serial == serial).Select(d => (int?)d.Id).FirstOrDefaultAsync(ct);
        if (deviceId is null)
        {
            return [];
        }

        var connection = db.Database.GetDbConnection();
        if (connection.State != ConnectionState.Open)
        {
            await connection.OpenAsync(ct);
        }

        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT "Sensor", ("Ts" - @from) / @width AS slot, MIN("Value"), AVG("Value"), MAX("Value"), COUNT(*)
            FROM "Telemetry"
            WHERE "DeviceId" = @device AND "Ts" >= @from AND "Ts" < @to
            GROUP BY "Sensor", slot
            ORDER BY "Sensor", slot
            """;
        Add(command, "@from", fromStored);
        Add(command, "@to", ToStored(to));
        Add(command, "@width", widthStored);
        Add(command, "@device", deviceId.Value);
        var result = new List<TelemetryBucket>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new TelemetryBucket(
                reader.GetString(0),
                from + (width * reader.GetInt64(1)),
                reader.GetDouble(2),
                reader.GetDouble(3),
                reader.GetDouble(4),
                reader.GetInt32(5)));
        }

        return result;
    }

    /// <summary>The newest reading's device timestamp. Simulated tanks run their clock faster than the wall clock, so
    /// a chart window ends at whichever is later: now, or the device's newest reading.</summary>
    public async Task<DateTimeOffset?> NewestAsync(string serial, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Telemetry.Where(r => db.Devices.Any(d => d.Id == r.DeviceId && d.Serial == serial))
            .OrderByDescending(r => r.Ts).Select(r => (DateTimeOffset?)r.Ts).FirstOrDefaultAsync(ct);
    }

    private static long ToStored(DateTimeOffset t) => (long)Stored.ConvertToProvider(t)!;

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
