using System.Globalization;

namespace Fleet.Cli.Hub;

/// <summary>A soak window as people type it: <c>30m</c>, <c>90s</c>, <c>2h</c>, <c>1d</c>; <c>0</c> or <c>off</c> turns it off.</summary>
internal static class SoakDuration
{
    public static int Seconds(string text)
    {
        var t = text.Trim();
        if (t is "0" or "off")
        {
            return 0;
        }

        var unit = t.Length > 1 ? t[^1] : ' ';
        if (!int.TryParse(t.AsSpan(0, Math.Max(0, t.Length - 1)), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0
            || unit is not ('s' or 'm' or 'h' or 'd'))
        {
            throw new CliFailure($"--soak '{text}' is not a duration: write a positive number of seconds, minutes, hours or days (e.g. 90s, 30m, 2h, 1d), or 'off'");
        }

        var seconds = unit switch { 's' => (long)n, 'm' => n * 60L, 'h' => n * 3600L, _ => n * 86400L };
        if (seconds > 7 * 86400)
        {
            throw new CliFailure($"--soak '{text}' is longer than 7 days; a soak that long holds the rollout's slots for a week");
        }

        return (int)seconds;
    }

    /// <summary>Time left of a soak, to the second: <c>1h 4m</c>, <c>23m 59s</c>, <c>7s</c>.</summary>
    public static string Left(double seconds)
    {
        var s = (long)Math.Max(0, Math.Ceiling(seconds));
        return s >= 3600 ? $"{s / 3600}h {s % 3600 / 60}m" : s >= 60 ? $"{s / 60}m {s % 60}s" : $"{s}s";
    }

    public static string Format(int seconds) => seconds switch
    {
        <= 0 => "off",
        _ when seconds % 86400 == 0 => $"{seconds / 86400}d",
        _ when seconds % 3600 == 0 => $"{seconds / 3600}h",
        _ when seconds % 60 == 0 => $"{seconds / 60}m",
        _ => $"{seconds}s",
    };
}
