using System.Security.Cryptography;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Fleet.Protocol.Tests.Signing;

public sealed class SigningKeyTests
{
    [Fact]
    public void A_private_key_is_written_as_48_byte_PKCS8_with_mode_0600()
    {
        using var dir = new TempDir();
        var key = SigningKey.Generate();
        var path = dir.Combine("dev.key");

        key.Save(path);

        Assert.Equal(0b110_000_000, Posix.Mode(path));
        Assert.Equal(48, key.ToPkcs8().Length);
        Assert.StartsWith(PemHeader("PRIVATE KEY"), File.ReadAllText(path));
        Assert.Equal(key.KeyId, SigningKey.Load(path).KeyId);
    }

    [Fact]
    public void Saving_over_an_existing_key_is_refused_and_keeps_the_old_key()
    {
        using var dir = new TempDir();
        var path = dir.Combine("dev.key");
        var first = SigningKey.Generate();
        first.Save(path);

        Assert.Throws<IOException>(() => SigningKey.Generate().Save(path));

        Assert.Equal(first.KeyId, SigningKey.Load(path).KeyId);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void KeyId_is_the_first_8_bytes_of_SHA256_of_the_raw_public_key_in_hex()
    {
        var key = SigningKey.Generate();
        var expected = Convert.ToHexStringLower(SHA256.HashData(key.PublicKey.Raw.Span)[..8]);

        Assert.Equal(expected, key.KeyId);
        Assert.Equal(32, key.PublicKey.Raw.Length);
    }

    [Fact]
    public void A_public_key_round_trips_through_SPKI_PEM_and_raw_bytes()
    {
        var key = SigningKey.Generate().PublicKey;

        Assert.Equal(key, VerifyingKey.FromPem(key.ToPem()));
        Assert.Equal(key, VerifyingKey.FromRaw(key.Raw.Span));
        Assert.Equal(44, key.ToSpki().Length);
    }

    [Fact]
    public void BouncyCastles_83_byte_form_with_the_public_key_attached_is_read_too()
    {
        var parameters = new Ed25519PrivateKeyParameters(new SecureRandom());
        var der = PrivateKeyInfoFactory.CreatePrivateKeyInfo(parameters).GetDerEncoded();
        Assert.Equal(83, der.Length);
        var pem = new string(PemEncoding.Write("PRIVATE KEY", der));

        var key = SigningKey.FromPem(pem);

        Assert.Equal(parameters.GeneratePublicKey().GetEncoded(), key.PublicKey.Raw.ToArray());
    }

    [Theory]
    [InlineData("not a key at all")]
    [InlineData("three zero bytes in a PKCS#8 PEM block")]
    public void Text_that_is_not_an_Ed25519_private_key_is_a_KeyFormatException(string text)
    {
        // The PEM case is built at run time, so no key-shaped block sits in the source tree.
        var pem = text.StartsWith("three", StringComparison.Ordinal) ? new string(PemEncoding.Write("PRIVATE KEY", new byte[3])) : text;
        var ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPem(pem, "dev.key"));
        Assert.Contains("dev.key", ex.Message);
    }

    [Fact]
    public void An_EC_key_is_refused_with_a_message_naming_the_algorithm()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ec.ExportPkcs8PrivateKeyPem();

        var ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPem(pem, "ec.key"));
        Assert.Contains("not Ed25519", ex.Message);
    }

    [Fact]
    public void A_signature_verifies_only_for_the_same_message_and_key()
    {
        var key = SigningKey.Generate();
        var message = "manifest bytes"u8.ToArray();
        var signature = key.Sign(message);

        Assert.True(key.PublicKey.Verify(message, signature));
        Assert.False(key.PublicKey.Verify("manifest bytez"u8, signature));
        Assert.False(SigningKey.Generate().PublicKey.Verify(message, signature));
        Assert.False(key.PublicKey.Verify(message, signature.AsSpan(0, 63)));
    }

    private static string PemHeader(string label) => $"-----BEGIN {label}-----";
}
