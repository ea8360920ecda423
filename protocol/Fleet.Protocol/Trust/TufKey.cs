using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Trust;

/// <summary>An Ed25519 key as TUF writes it (<c>{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":hex}}</c>),
/// identified by TUF's key id: the SHA-256 of that object's canonical JSON, in hex. <see cref="FleetKeyId"/> is the
/// short id a firmware <c>manifest.sig</c> names for the same key.</summary>
public sealed class TufKey
{
    private TufKey(VerifyingKey key)
    {
        Key = key;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(ToJson())));
    }

    public VerifyingKey Key { get; }

    /// <summary>64 lowercase hex characters.</summary>
    public string KeyId { get; }

    public string FleetKeyId => Key.KeyId;

    public static TufKey From(VerifyingKey key) => new(key);

    public JsonObject ToJson() => new()
    {
        ["keytype"] = "ed25519",
        ["scheme"] = "ed25519",
        ["keyval"] = new JsonObject { ["public"] = Convert.ToHexStringLower(Key.Raw.Span) },
    };

    /// <summary>Reads a key object and checks that <paramref name="keyId"/> is its real id, so a key cannot be listed
    /// under another key's id.</summary>
    internal static TufKey Parse(string keyId, JsonObject obj, string what)
    {
        if (StrictJson.String(obj, "keytype", what) != "ed25519" || StrictJson.String(obj, "scheme", what) != "ed25519")
        {
            throw new TrustFormatException($"{what}: key {keyId} is not an ed25519 key; Fleet metadata uses Ed25519 only");
        }

        var hex = StrictJson.String(StrictJson.Object(obj, "keyval", what), "public", what, 64);
        byte[] raw;
        try
        {
            raw = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new TrustFormatException($"{what}: key {keyId}'s public value is not hex");
        }

        TufKey key;
        try
        {
            key = new TufKey(VerifyingKey.FromRaw(raw));
        }
        catch (KeyFormatException ex)
        {
            throw new TrustFormatException($"{what}: key {keyId}: {ex.Message}");
        }

        if (!string.Equals(key.KeyId, keyId, StringComparison.Ordinal))
        {
            throw new TrustFormatException($"{what}: key listed as {keyId} has the id {key.KeyId}");
        }

        return key;
    }
}
