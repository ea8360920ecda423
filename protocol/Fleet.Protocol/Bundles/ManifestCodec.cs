using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Semver;

namespace Fleet.Protocol.Bundles;

/// <summary>The one canonical JSON form of a manifest, and a strict parser for untrusted bytes.
/// Field order is fixed, misc keys are sorted, created has whole seconds: the same manifest always has
/// the same bytes, which is what makes the content-derived uuid stable.</summary>
public static class ManifestCodec
{
    public const string CreatedFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    private static readonly HashSet<string> KnownFields =
        ["format", "uuid", "product", "version", "platform", "architecture", "author", "vcs", "description", "created", "misc", "payload", "allowDowngrade"];

    private const int MaxTextLength = 4096;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static byte[] Serialize(Manifest m, bool includeUuid)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024 + (m.Payload.Chunks.Count * 100));
        WriteTo(buffer, m, includeUuid);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTo(System.Buffers.IBufferWriter<byte> buffer, Manifest m, bool includeUuid)
    {
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", m.Format);
            if (includeUuid)
            {
                w.WriteString("uuid", m.Uuid.ToString("D"));
            }

            w.WriteString("product", m.Product);
            w.WriteString("version", m.Version.ToString());
            w.WriteString("platform", m.Platform);
            w.WriteString("architecture", m.Architecture);
            w.WriteString("author", m.Author);
            w.WriteString("vcs", m.Vcs);
            w.WriteString("description", m.Description);
            w.WriteString("created", m.Created.UtcDateTime.ToString(CreatedFormat, CultureInfo.InvariantCulture));
            w.WriteStartObject("misc");
            foreach (var (key, value) in m.Misc.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteStartObject("payload");
            w.WriteNumber("size", m.Payload.Size);
            w.WriteString("sha256", m.Payload.Sha256);
            w.WriteStartArray("chunks");
            foreach (var c in m.Payload.Chunks)
            {
                w.WriteStartObject();
                w.WriteNumber("size", c.Size);
                w.WriteString("sha256", c.Sha256);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            if (m.AllowDowngrade)
            {
                w.WriteBoolean("allowDowngrade", true);
            }

            w.WriteEndObject();
        }
    }

    /// <summary>A UUIDv8 (RFC 9562) from SHA-256 of the canonical manifest without its uuid: re-signing or
    /// re-serialising never changes it, and any change to product, version or payload does.</summary>
    public static Guid DeriveUuid(Manifest m)
    {
        // Hashed as it is written: a manifest with thousands of chunks is never materialised a second time.
        using var hashing = new HashingBufferWriter();
        WriteTo(hashing, m, includeUuid: false);
        Span<byte> hash = stackalloc byte[32];
        hashing.GetHash(hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    public static VerificationResult TryParse(ReadOnlySpan<byte> utf8, BundleLimits limits, out Manifest? manifest) =>
        TryParse(utf8.ToArray().AsMemory(), limits, out manifest);

    public static VerificationResult TryParse(ReadOnlyMemory<byte> utf8Memory, BundleLimits limits, out Manifest? manifest)
    {
        var utf8 = utf8Memory.Span;
        manifest = null;
        if (utf8.Length > limits.MaxManifestBytes)
        {
            return VerificationResult.Fail(VerificationFailure.ManifestTooLarge, $"manifest.json is {utf8.Length} bytes; the limit is {limits.MaxManifestBytes}");
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return Malformed("manifest.json is not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Memory, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            return Malformed($"manifest.json is not valid JSON ({ex.Message})");
        }

        using (doc)
        {
            try
            {
                return Read(doc.RootElement, limits, out manifest);
            }
            catch (FormatException ex)
            {
                manifest = null;
                return Malformed(ex.Message);
            }
        }
    }

    private static VerificationResult Read(JsonElement root, BundleLimits limits, out Manifest? manifest)
    {
        manifest = null;
        var fields = Fields(root, "manifest", KnownFields);
        var format = Int(Required(fields, "format"), "format");
        if (format != Manifest.CurrentFormat)
        {
            return Malformed($"manifest format {format} is not supported (this build reads format {Manifest.CurrentFormat})");
        }

        var uuidText = Text(Required(fields, "uuid"), "uuid");
        if (!Guid.TryParseExact(uuidText, "D", out var uuid))
        {
            return Malformed($"uuid '{uuidText}' is not a UUID");
        }

        var versionText = Text(Required(fields, "version"), "version");
        if (!SemVersion.TryParse(versionText, SemVersionStyles.Strict, out var version))
        {
            return VerificationResult.Fail(VerificationFailure.InvalidVersion, $"version '{Shorten(versionText)}' is not SemVer 2.0 (e.g. 1.4.2 or 2.0.0-rc.1)");
        }

        var createdText = Text(Required(fields, "created"), "created");
        if (!DateTime.TryParseExact(createdText, CreatedFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created))
        {
            return Malformed($"created '{Shorten(createdText)}' is not a UTC time like 2026-01-31T12:00:00Z");
        }

        var misc = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (fields.TryGetValue("misc", out var miscElement))
        {
            foreach (var (key, value) in Fields(miscElement, "misc", known: null))
            {
                misc[key] = Text(value, $"misc.{key}");
            }
        }

        var payload = ReadPayload(Required(fields, "payload"), limits, out var payloadFailure);
        if (payload is null)
        {
            return payloadFailure!;
        }

        var allowDowngrade = false;
        if (fields.TryGetValue("allowDowngrade", out var allow))
        {
            allowDowngrade = allow.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new FormatException("allowDowngrade must be true or false"),
            };
        }

        var parsed = new Manifest
        {
            Format = format,
            Uuid = uuid,
            Product = Name(Required(fields, "product"), "product"),
            Version = version,
            Platform = Name(Required(fields, "platform"), "platform"),
            Architecture = Name(Required(fields, "architecture"), "architecture"),
            Author = Optional(fields, "author"),
            Vcs = Optional(fields, "vcs"),
            Description = Optional(fields, "description"),
            Created = new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)),
            Misc = misc,
            Payload = payload,
            AllowDowngrade = allowDowngrade,
        };

        var derived = DeriveUuid(parsed);
        if (derived != uuid)
        {
            return Malformed($"uuid {uuid} does not match the manifest content (expected {derived}); the manifest was edited or not made by fleet");
        }

        manifest = parsed;
        return new VerificationResult(VerificationFailure.None, "manifest parsed") { Manifest = parsed };
    }

    private static PayloadInfo? ReadPayload(JsonElement element, BundleLimits limits, out VerificationResult? failure)
    {
        failure = null;
        var fields = Fields(element, "payload", ["size", "sha256", "chunks"]);
        var size = Long(Required(fields, "size"), "payload.size");
        if (size < 0)
        {
            throw new FormatException("payload.size is negative");
        }

        if (size > limits.MaxPayloadBytes)
        {
            failure = VerificationResult.Fail(VerificationFailure.PayloadTooLarge, $"payload is {size} bytes; the limit is {limits.MaxPayloadBytes}");
            return null;
        }

        var sha = Hash(Required(fields, "sha256"), "payload.sha256");
        var chunksElement = Required(fields, "chunks");
        if (chunksElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("payload.chunks must be an array");
        }

        var count = chunksElement.GetArrayLength();
        var chunks = new List<PayloadChunk>(count);
        long total = 0;
        var i = 0;
        foreach (var c in chunksElement.EnumerateArray())
        {
            var chunk = ReadChunk(c, i, limits);
            chunks.Add(chunk);
            total += chunk.Size;
            i++;
        }

        if (total != size)
        {
            throw new FormatException($"payload chunks add up to {total} bytes but payload.size is {size}");
        }

        return new PayloadInfo(size, sha, chunks);
    }

    /// <summary>One <c>{"size":N,"sha256":"hex"}</c>. Read without a dictionary: a large payload has thousands.</summary>
    private static PayloadChunk ReadChunk(JsonElement c, int i, BundleLimits limits)
    {
        if (c.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"payload.chunks[{i}] must be a JSON object");
        }

        long? size = null;
        string? sha = null;
        foreach (var p in c.EnumerateObject())
        {
            if (p.NameEquals("size") && size is null)
            {
                size = Long(p.Value, "payload.chunks[].size");
            }
            else if (p.NameEquals("sha256") && sha is null)
            {
                sha = Hash(p.Value, "payload.chunks[].sha256");
            }
            else
            {
                throw new FormatException($"payload.chunks[{i}] has an unknown or repeated field '{Shorten(p.Name)}'");
            }
        }

        if (size is null || sha is null)
        {
            throw new FormatException($"payload.chunks[{i}] needs size and sha256");
        }

        if (size <= 0 || size > limits.MaxChunkBytes)
        {
            throw new FormatException($"payload.chunks[{i}].size {size} is outside 1..{limits.MaxChunkBytes}");
        }

        return new PayloadChunk((int)size, sha);
    }

    private static Dictionary<string, JsonElement> Fields(JsonElement element, string what, HashSet<string>? known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{what} must be a JSON object");
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            if (known is not null && !known.Contains(p.Name))
            {
                throw new FormatException($"{what} has an unknown field '{Shorten(p.Name)}'");
            }

            // Duplicate keys would let two parsers see two different manifests behind one signature.
            if (!fields.TryAdd(p.Name, p.Value))
            {
                throw new FormatException($"{what} has the field '{Shorten(p.Name)}' twice");
            }
        }

        return fields;
    }

    private static JsonElement Required(Dictionary<string, JsonElement> fields, string name) =>
        fields.TryGetValue(name, out var value) ? value : throw new FormatException($"manifest field '{name}' is missing");

    private static string Optional(Dictionary<string, JsonElement> fields, string name) =>
        fields.TryGetValue(name, out var value) ? Text(value, name) : "";

    private static string Text(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name} must be a string");
        }

        var s = e.GetString()!;
        return s.Length <= MaxTextLength ? s : throw new FormatException($"{name} is longer than {MaxTextLength} characters");
    }

    /// <summary>Product, platform and architecture end up in paths and topics: keep them to a safe alphabet.</summary>
    private static string Name(JsonElement e, string name)
    {
        var s = Text(e, name);
        if (!Manifest.IsValidName(s))
        {
            throw new FormatException($"{name} '{Shorten(s)}' must be 1-64 characters of a-z, 0-9, '-', '_', '.'");
        }

        return s;
    }

    private static int Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw new FormatException($"{name} must be an integer");

    private static long Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) ? v : throw new FormatException($"{name} must be an integer");

    private static string Hash(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name} must be a string");
        }

        var s = e.GetString()!;
        if (s.Length != 64 || s.AsSpan().ContainsAnyExcept(LowerHex))
        {
            throw new FormatException($"{name} must be 64 lowercase hex characters");
        }

        return s;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static VerificationResult Malformed(string message) =>
        VerificationResult.Fail(VerificationFailure.MalformedManifest, message);

    internal static string Describe(Manifest m) =>
        string.Create(CultureInfo.InvariantCulture, $"{m.Product} {m.Version} for {m.Platform}/{m.Architecture} (uuid {m.Uuid})");
}
