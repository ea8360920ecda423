using System.Globalization;

namespace Fleet.Cli.Trust;

/// <summary>Lifetimes as people type them: <c>365d</c>, <c>12w</c>, <c>36h</c>.</summary>
internal static class TrustDuration
{
    private static readonly TimeSpan Longest = TimeSpan.FromDays(3660);

    public static TimeSpan Parse(string text, string option)
    {
        var unit = text.Length > 1 ? text[^1] : ' ';
        if (!int.TryParse(text.AsSpan(0, Math.Max(0, text.Length - 1)), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0
            || unit is not ('h' or 'd' or 'w'))
        {
            throw new CliFailure($"{option} '{text}' is not a lifetime: write a positive number of hours, days or weeks, e.g. 36h, 7d, 365d, 12w");
        }

        var span = unit switch { 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => TimeSpan.FromDays(7.0 * n) };
        if (span > Longest)
        {
            throw new CliFailure($"{option} '{text}' is longer than 10 years; metadata that never expires cannot recover from a freeze attack");
        }

        return span;
    }

    public static DateTimeOffset From(DateTimeOffset now, string text, string option) =>
        TruncateToSeconds(now + Parse(text, option));

    /// <summary>As TUF writes <c>expires</c>.</summary>
    public static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>TUF timestamps carry whole seconds.</summary>
    public static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
