using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.Hub.Hosting;

namespace Fleet.Hub.Accounts;

/// <summary>When a new API token expires. Nothing given: <see cref="DefaultDays"/> days. <c>30d</c>, <c>12h</c>, a
/// date or a time (ISO 8601, UTC unless it says otherwise), or <c>never</c> — never-expiring only when asked for.</summary>
internal static partial class TokenLifetime
{
    public const int DefaultDays = 90;
    public const string Never = "never";

    public static Outcome<DateTimeOffset?> Parse(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (DateTimeOffset?)now.AddDays(DefaultDays);
        }

        text = text.Trim();
        if (text.Equals(Never, StringComparison.OrdinalIgnoreCase))
        {
            return (DateTimeOffset?)null;
        }

        DateTimeOffset at;
        if (Span().Match(text) is { Success: true } m)
        {
            var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            at = m.Groups[2].Value == "h" ? now.AddHours(n) : now.AddDays(n);
        }
        else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
        {
            return Bad(text, "is not a duration, a date or 'never'");
        }

        if (at <= now)
        {
            return Bad(text, "is not in the future");
        }

        return (DateTimeOffset?)at.ToUniversalTime();
    }

    private static Failure Bad(string text, string why) =>
        new(FailureKind.Invalid, "invalid_expiry", $"token expiry '{text}' {why}; give e.g. 30d, 12h, 2027-06-30 or 'never' (default {DefaultDays}d)");

    [GeneratedRegex(@"^([1-9][0-9]{0,4})([dh])\z")]
    private static partial Regex Span();
}
