using System.Globalization;
using System.Text;

namespace Fleet.Hub.Audit;

/// <summary>Text a client typed, made safe to keep in the audit log: at most <c>max</c> characters (longer text is
/// cut and marked with its length), control and format characters (newlines, escapes, bidi overrides) shown as
/// '?', and never half a surrogate pair.</summary>
internal static class AuditText
{
    public const int UserNameLength = 64;

    public static string Bound(string? text, int max = UserNameLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var cut = Math.Min(text.Length, max);
        if (cut < text.Length && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        var safe = new StringBuilder(cut + 32);
        for (var i = 0; i < cut; i++)
        {
            var c = text[i];
            var category = char.GetUnicodeCategory(c);
            var lone = (char.IsHighSurrogate(c) && (i + 1 >= cut || !char.IsLowSurrogate(text[i + 1])))
                || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1])));
            safe.Append(category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator || lone ? '?' : c);
        }

        if (cut < text.Length)
        {
            safe.Append(CultureInfo.InvariantCulture, $"... ({text.Length} characters)");
        }

        return safe.ToString();
    }
}
