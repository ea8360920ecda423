using System.Text.Json.Nodes;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Trust;

/// <summary>A TUF metadata file: <c>{"signed":{…},"signatures":[{"keyid","sig"}]}</c>. Signatures cover the canonical
/// JSON of <c>signed</c>. Nothing in <c>signed</c> is trusted until <see cref="SignedBy"/> meets a threshold.</summary>
public sealed class SignedEnvelope
{
    private const int MaxSignatures = 64;

    private SignedEnvelope(JsonObject signed, byte[] canonical, IReadOnlyList<TufSignature> signatures, string type)
    {
        Signed = signed;
        Canonical = canonical;
        Signatures = signatures;
        Type = type;
    }

    public JsonObject Signed { get; }

    /// <summary>The exact bytes the signatures cover.</summary>
    public byte[] Canonical { get; }

    public IReadOnlyList<TufSignature> Signatures { get; }

    /// <summary><c>signed._type</c>: root, targets, snapshot, timestamp, or a Fleet document type.</summary>
    public string Type { get; }

    public static SignedEnvelope Parse(ReadOnlySpan<byte> json, string what)
    {
        var top = StrictJson.ParseObject(json, what);
        foreach (var (name, _) in top)
        {
            if (name is not ("signed" or "signatures"))
            {
                throw new TrustFormatException($"{what} has the unknown top-level field '{name}'");
            }
        }

        var signed = StrictJson.Object(top, "signed", what);
        var list = StrictJson.Array(top, "signatures", what);
        if (list.Count > MaxSignatures)
        {
            throw new TrustFormatException($"{what} carries {list.Count} signatures; at most {MaxSignatures}");
        }

        var signatures = new List<TufSignature>(list.Count);
        foreach (var item in list)
        {
            if (item is not JsonObject entry)
            {
                throw new TrustFormatException($"{what}: each signature must be an object");
            }

            signatures.Add(new TufSignature(StrictJson.String(entry, "keyid", what, 64), StrictJson.String(entry, "sig", what, 128)));
        }

        var type = StrictJson.String(signed, "_type", what, 64);
        return new SignedEnvelope(signed, CanonicalJson.Encode(signed), signatures, type);
    }

    /// <summary>Signs <paramref name="signed"/> with each key and returns the envelope's JSON (UTF-8, indented).</summary>
    public static byte[] Sign(JsonObject signed, IEnumerable<SigningKey> keys)
    {
        var canonical = CanonicalJson.Encode(signed);
        var signatures = new JsonArray();
        foreach (var key in keys)
        {
            signatures.Add(new JsonObject
            {
                ["keyid"] = TufKey.From(key.PublicKey).KeyId,
                ["sig"] = Convert.ToHexStringLower(key.Sign(canonical)),
            });
        }

        // The file carries the signed object with its keys in canonical order, written as ordinary JSON: canonical
        // JSON itself leaves control characters unescaped, so it is not always valid JSON to parse back.
        var envelope = new JsonObject { ["signatures"] = signatures, ["signed"] = Sorted(signed) };
        return System.Text.Encoding.UTF8.GetBytes(envelope.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sorted)]),
        _ => node?.DeepClone(),
    };

    /// <summary>The distinct keys of <paramref name="role"/> whose signature over <see cref="Canonical"/> verifies.
    /// A key id listed twice counts once; a key outside the role never counts.</summary>
    public IReadOnlyList<string> SignedBy(RoleKeys role, IReadOnlyDictionary<string, TufKey> keys)
    {
        var valid = new List<string>();
        foreach (var keyId in role.KeyIds)
        {
            if (valid.Contains(keyId, StringComparer.Ordinal) || !keys.TryGetValue(keyId, out var key))
            {
                continue;
            }

            foreach (var signature in Signatures)
            {
                if (!string.Equals(signature.KeyId, keyId, StringComparison.Ordinal) || signature.Sig.Length != 128)
                {
                    continue;
                }

                byte[] raw;
                try
                {
                    raw = Convert.FromHexString(signature.Sig);
                }
                catch (FormatException)
                {
                    continue;
                }

                if (key.Key.Verify(Canonical, raw))
                {
                    valid.Add(keyId);
                    break;
                }
            }
        }

        return valid;
    }

    public bool MeetsThreshold(RoleKeys role, IReadOnlyDictionary<string, TufKey> keys) => SignedBy(role, keys).Count >= role.Threshold;
}
