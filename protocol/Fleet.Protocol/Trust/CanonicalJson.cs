using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fleet.Protocol.Trust;

/// <summary>The canonical JSON TUF signs (OLPC canonical JSON as securesystemslib writes it): object keys sorted by
/// code point, no whitespace, strings escaping only <c>"</c> and <c>\</c>, integers only. Signatures are over these
/// bytes of the <c>signed</c> object, so any TUF implementation re-derives exactly what was signed.</summary>
public static class CanonicalJson
{
    public static byte[] Encode(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(node, text);
        try
        {
            return StrictUtf8.GetBytes(text.ToString());
        }
        catch (EncoderFallbackException)
        {
            // A lone surrogate has no UTF-8 form; encoding it as U+FFFD would sign another string than the one given.
            throw new TrustFormatException("canonical JSON holds a string that is not valid Unicode (a lone surrogate)");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void Write(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    WriteString(name, text);
                    text.Append(':');
                    Write(value, text);
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }

                    Write(array[i], text);
                }

                text.Append(']');
                break;
            case JsonValue value:
                WriteValue(value, text);
                break;
        }
    }

    private static void WriteValue(JsonValue value, StringBuilder text)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(value.GetValue<string>(), text);
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            case JsonValueKind.Number:
                // Canonical JSON has no floats: a number that is not an integer cannot be signed unambiguously.
                text.Append(IntegerOf(value).ToString(CultureInfo.InvariantCulture));
                break;
            default:
                throw new TrustFormatException($"cannot encode a JSON {value.GetValueKind()} canonically");
        }
    }

    /// <summary>The integer a JSON number node holds, whatever CLR type backs it (parsed, int, long).</summary>
    internal static long IntegerOf(JsonValue value)
    {
        var raw = value.ToJsonString();
        return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
            ? integer
            : throw new TrustFormatException($"canonical JSON allows integers only; got {raw}");
    }

    private static void WriteString(string s, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in s)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        text.Append('"');
    }
}
