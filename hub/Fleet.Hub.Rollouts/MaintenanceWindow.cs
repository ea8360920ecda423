using System.Globalization;

namespace Fleet.Hub.Rollouts;

/// <summary>A daily window in an IANA time zone during which a group may start new offers, written
/// <c>02:00-05:00 Europe/Berlin</c>. The times are wall-clock times in that zone, so the window follows daylight
/// saving time; a window whose end is before its start runs over midnight (<c>22:00-02:00 UTC</c>). Transfers
/// already under way may finish outside it: only starts are gated.</summary>
public sealed record MaintenanceWindow(TimeOnly Start, TimeOnly End, TimeZoneInfo Zone)
{
    public override string ToString() => $"{Start:HH\\:mm}-{End:HH\\:mm} {Zone.Id}";

    /// <summary>Never open: what the hub uses for a stored window it can no longer read (fail closed).</summary>
    public static MaintenanceWindow Closed { get; } = new(TimeOnly.MinValue, TimeOnly.MinValue, TimeZoneInfo.Utc);

    public bool IsOpen(DateTimeOffset now)
    {
        if (Start == End)
        {
            // Empty (Parse refuses it): never open.
            return false;
        }

        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).DateTime);
        return Start < End ? local >= Start && local < End : local >= Start || local < End;
    }

    /// <summary>When the window next opens at or after <paramref name="now"/> (now itself when it is open), to the minute;
    /// null if it never opens within two days (it always does: a daily window).</summary>
    public DateTimeOffset? NextOpen(DateTimeOffset now)
    {
        var t = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), now.Offset);
        if (IsOpen(now))
        {
            return now;
        }

        for (var i = 1; i <= 2 * 24 * 60; i++)
        {
            if (IsOpen(t.AddMinutes(i)))
            {
                return t.AddMinutes(i);
            }
        }

        return null;
    }

    /// <summary>Reads <c>HH:MM-HH:MM ZONE</c>; null with <paramref name="error"/> saying what is wrong.</summary>
    public static MaintenanceWindow? Parse(string text, out string error)
    {
        error = string.Empty;
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var times = parts.Length == 2 ? parts[0].Split('-') : [];
        if (times.Length != 2
            || !TimeOnly.TryParseExact(times[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !TimeOnly.TryParseExact(times[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
        {
            error = $"maintenance window '{text}' is not HH:MM-HH:MM ZONE, e.g. '02:00-05:00 Europe/Berlin'";
            return null;
        }

        if (start == end)
        {
            error = $"maintenance window '{text}' is empty: its start and end are the same time";
            return null;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(parts[1], out var zone))
        {
            error = $"maintenance window '{text}': '{parts[1]}' is not an IANA time zone (e.g. Europe/Berlin, America/Chicago, UTC)";
            return null;
        }

        return new MaintenanceWindow(start, end, zone);
    }
}
