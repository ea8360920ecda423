using System.Text;
using System.Text.Json.Nodes;
using Fleet.Protocol.Trust;

namespace Fleet.Protocol.Tests.Trust;

/// <summary>Canonical JSON as securesystemslib writes it, so other TUF implementations verify Fleet's signatures.</summary>
public sealed class CanonicalJsonTests
{
    [Fact]
    public void Keys_are_sorted_and_only_quote_and_backslash_are_escaped()
    {
        var node = JsonNode.Parse("{\"b\": [1, true, null], \"a\": \"x\\\"y\\\\z\\nü\", \"A\": {}}");

        Assert.Equal("{\"A\":{},\"a\":\"x\\\"y\\\\z\nü\",\"b\":[1,true,null]}", Encoding.UTF8.GetString(CanonicalJson.Encode(node)));
    }

    [Fact]
    public void Floats_cannot_be_encoded()
    {
        Assert.Throws<TrustFormatException>(() => CanonicalJson.Encode(JsonNode.Parse("{\"v\":1.5}")));
    }

    [Fact]
    public void A_tuf_key_id_is_the_sha256_of_the_canonical_key_object()
    {
        var key = TrustSample.Key(3).PublicKey;
        var json = $"{{\"keytype\":\"ed25519\",\"keyval\":{{\"public\":\"{Convert.ToHexStringLower(key.Raw.Span)}\"}},\"scheme\":\"ed25519\"}}";

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(json))), TufKey.From(key).KeyId);
    }
}
