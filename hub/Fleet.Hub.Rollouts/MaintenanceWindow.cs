using System.Globalization;

namespace Fleet.Hub.Rollouts;

/// <summary>A daily window in an IANA time zone during which a group may start new offers, written
/// <c>02:00-05:00 Europe/Berlin</c>. The times are wall-clock times in that zone, so the window follows daylight
/// saving time; a window whose end is before its start runs over midnight (<c>22:00-02:00 UTC</c>). Transfers
/// already under way may finish outside it: only starts are gated.</summary>
public sealed record MaintenanceWindow(TimeOnly Start, TimeOnly End, TimeZoneInfo Zone)
{
    public override string ToString() => $"{Start:HH\\:mm}-{End:HH\\:mm} {Zone.Id}";

    public bool IsOpen(DateTimeOffset now)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).DateTime);
        return Start < End ? local >= Start && local < End : local >= Start || local < End;
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
