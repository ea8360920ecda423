using System.Text.Json.Nodes;
using Fleet.Protocol.Trust;

namespace Fleet.Protocol.Tests.Trust;

/// <summary>Bugs the generated trust-document attacks (<see cref="TrustPropertyTests"/>) found, one focused case each.</summary>
public sealed class TrustRegressionTests
{
    private readonly TrustSample _s = new();

    private JsonObject Root(string product) => TrustDocuments.Root(product, 1, TrustSample.Now.AddYears(1),
        new RoleSpec([_s.RootKey.PublicKey], 1), new RoleSpec([_s.RootKey.PublicKey], 1), new RoleSpec([_s.OnlineKey.PublicKey], 1), new RoleSpec([_s.OnlineKey.PublicKey], 1));

    [Fact]
    public void A_string_with_a_control_character_is_signed_and_verifies()
    {
        // Canonical JSON leaves control characters unescaped, so it is not always JSON: Sign used to parse it back and
        // threw JsonReaderException for a note with a newline.
        var signed = Root(_s.Product);
        signed["x-fleet-note"] = "line one\nline\ttwo\u0001";

        var envelope = SignedEnvelope.Sign(signed, [_s.RootKey]);

        var root = TrustVerifier.VerifyInitialRoot(envelope);
        Assert.True(root.IsValid, root.Message);
        Assert.Equal("line one\nline\ttwo\u0001", SignedEnvelope.Parse(envelope, "root").Signed["x-fleet-note"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00")]
    [InlineData("\\udfff\\ud800")]
    public void A_lone_surrogate_escape_is_malformed_not_an_exception_nor_U_FFFD(string escape)
    {
        // Reading a string with a lone surrogate threw InvalidOperationException out of the verifier; leniently
        // encoded it would also canonicalize as U+FFFD, so a root signed for "tank-\uFFFD" would verify for it.
        var genuine = SignedEnvelope.Sign(Root("tank-\uFFFD"), [_s.RootKey]);
        Assert.True(TrustVerifier.VerifyInitialRoot(genuine).IsValid);
        var text = System.Text.Encoding.UTF8.GetString(genuine);
        Assert.Contains("tank-\\uFFFD", text, StringComparison.OrdinalIgnoreCase);
        var forged = System.Text.Encoding.UTF8.GetBytes(text.Replace("tank-\\uFFFD", "tank-" + escape, StringComparison.OrdinalIgnoreCase));

        var result = TrustVerifier.VerifyInitialRoot(forged);

        Assert.Equal(TrustFailure.Malformed, result.Failure);
        Assert.Throws<TrustFormatException>(() => SignedEnvelope.Parse(forged, "root"));
        Assert.Equal(TrustFailure.Malformed, TrustedMetadata.Load(forged, _s.Targets(1)).Failure);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0x80 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    public void Invalid_UTF8_inside_a_string_is_malformed_not_an_exception(byte[] invalid)
    {
        // The reader only decodes a string when it is read: invalid UTF-8 in a value threw InvalidOperationException.
        var text = System.Text.Encoding.UTF8.GetString(_s.Root());
        var at = text.IndexOf("\"algae-tank\"", StringComparison.Ordinal) + 1;
        var bytes = System.Text.Encoding.UTF8.GetBytes(text[..at]).Concat(invalid).Concat(System.Text.Encoding.UTF8.GetBytes(text[at..])).ToArray();

        Assert.Equal(TrustFailure.Malformed, TrustVerifier.VerifyInitialRoot(bytes).Failure);
        Assert.Throws<TrustFormatException>(() => SignedEnvelope.Parse(bytes, "root"));
    }

    [Fact]
    public void A_lone_surrogate_is_not_signed_as_U_FFFD()
    {
        Assert.Throws<TrustFormatException>(() => SignedEnvelope.Sign(Root("tank-\ud800"), [_s.RootKey]));
        Assert.Throws<TrustFormatException>(() => CanonicalJson.Encode(JsonValue.Create("\udc00")));
    }

    [Fact]
    public void Two_listed_keys_that_share_a_short_Fleet_key_id_are_refused_and_distinct_ones_pass()
    {
        // Manifests and scopes name keys by the 64-bit Fleet key id; a pair that shares one (a birthday search of
        // about 2^32 keys finds it) must not make a signature by one count for the other's scope.
        var distinct = new[] { (new string('a', 64), "0011223344556677"), (new string('b', 64), "8899aabbccddeeff") };
        var shared = new[] { (new string('a', 64), "0011223344556677"), (new string('b', 64), "0011223344556677") };

        RootMetadata.RefuseSharedShortIds(distinct, "targets.json");
        var refused = Assert.Throws<TrustFormatException>(() => RootMetadata.RefuseSharedShortIds(shared, "targets.json"));

        Assert.Contains("0011223344556677", refused.Message);
        Assert.Contains(new string('b', 64), refused.Message);
    }
}
