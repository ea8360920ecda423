using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fleet.Protocol.Trust;

/// <summary>Parses metadata the way a verifier must: bounded size and depth, UTF-8 only, no duplicate keys (two
/// parsers that keep different duplicates would see different documents), no floats, and every string valid Unicode
/// (no invalid UTF-8, no lone surrogate escapes).</summary>
internal static class StrictJson
{
    public const int MaxMetadataBytes = 1 << 20;

    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8, string what)
    {
        if (utf8.Length > MaxMetadataBytes)
        {
            throw new TrustFormatException($"{what} is {utf8.Length} bytes; metadata is at most {MaxMetadataBytes}");
        }

        CheckNoDuplicates(utf8, what);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new TrustFormatException($"{what} is not valid JSON: {ex.Message}");
        }

        return node as JsonObject ?? throw new TrustFormatException($"{what} is not a JSON object");
    }

    private static void CheckNoDuplicates(ReadOnlySpan<byte> utf8, string what)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 32 });
        var scopes = new Stack<HashSet<string>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        scopes.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        scopes.Push(null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        scopes.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        if (scopes.Peek() is { } names && !names.Add(reader.GetString()!))
                        {
                            throw new TrustFormatException($"{what} repeats the field '{reader.GetString()}'");
                        }

                        break;
                    case JsonTokenType.String:
                        // Decoding checks the text: invalid UTF-8 or a lone surrogate escape (\ud800) throws here,
                        // not later when a field is read (a lone surrogate would also encode like U+FFFD when signed).
                        reader.GetString();
                        break;
                    case JsonTokenType.Number:
                        if (!reader.TryGetInt64(out _))
                        {
                            throw new TrustFormatException($"{what} holds a number that is not an integer; TUF metadata has integers only");
                        }

                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new TrustFormatException($"{what} is not valid JSON: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            throw new TrustFormatException($"{what} is not valid UTF-8 JSON: {ex.Message}");
        }
    }

    public static string String(JsonObject obj, string name, string what, int maxLength = 256)
    {
        if (obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var s = v.GetValue<string>();
            if (s.Length > maxLength)
            {
                throw new TrustFormatException($"{what}: '{name}' is longer than {maxLength} characters");
            }

            return s;
        }

        throw new TrustFormatException($"{what}: '{name}' must be a string");
    }

    public static long Integer(JsonObject obj, string name, string what, long min, long max)
    {
        if (obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            var n = CanonicalJson.IntegerOf(v);
            if (n < min || n > max)
            {
                throw new TrustFormatException($"{what}: '{name}' is {n}; it must be between {min} and {max}");
            }

            return n;
        }

        throw new TrustFormatException($"{what}: '{name}' must be an integer");
    }

    public static bool Boolean(JsonObject obj, string name, string what)
    {
        if (obj[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return v.GetValue<bool>();
        }

        throw new TrustFormatException($"{what}: '{name}' must be true or false");
    }

    public static JsonObject Object(JsonObject obj, string name, string what) =>
        obj[name] as JsonObject ?? throw new TrustFormatException($"{what}: '{name}' must be an object");

    public static JsonArray Array(JsonObject obj, string name, string what) =>
        obj[name] as JsonArray ?? throw new TrustFormatException($"{what}: '{name}' must be an array");

    public static IReadOnlyList<string> Strings(JsonObject obj, string name, string what, int maxCount = 1024)
    {
        var array = Array(obj, name, what);
        if (array.Count > maxCount)
        {
            throw new TrustFormatException($"{what}: '{name}' has {array.Count} entries; at most {maxCount}");
        }

        var list = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                throw new TrustFormatException($"{what}: '{name}' must hold strings only");
            }

            list.Add(v.GetValue<string>());
        }

        return list;
    }

    /// <summary>TUF's <c>expires</c>: ISO 8601 in UTC with a <c>Z</c>, to the second.</summary>
    public static DateTimeOffset Timestamp(JsonObject obj, string name, string what)
    {
        var s = String(obj, name, what, 40);
        if (s.Length != 20 || s[^1] != 'Z'
            || !DateTimeOffset.TryParseExact(s, "yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var at))
        {
            throw new TrustFormatException($"{what}: '{name}' must look like 2030-01-01T00:00:00Z; got '{s}'");
        }

        return at;
    }

    public static string FormatTimestamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
