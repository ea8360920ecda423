using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Fleet.Protocol.Signing;

/// <summary>An Ed25519 private key that signs firmware manifests. Lives only on a developer's or CI machine,
/// as a PKCS#8 PEM file with mode 0600; never sent to the hub.</summary>
public sealed class SigningKey
{
    private readonly Ed25519PrivateKeyParameters _key;

    private SigningKey(Ed25519PrivateKeyParameters key)
    {
        _key = key;
        PublicKey = VerifyingKey.FromRaw(key.GeneratePublicKey().GetEncoded());
    }

    public VerifyingKey PublicKey { get; }

    public string KeyId => PublicKey.KeyId;

    public static SigningKey Generate() => new(new Ed25519PrivateKeyParameters(new SecureRandom()));

    /// <summary>From the 32-byte RFC 8032 seed (tests use fixed seeds for reproducible bundles).</summary>
    public static SigningKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
        {
            throw new KeyFormatException($"an Ed25519 seed is 32 bytes, got {seed.Length}");
        }

        return new SigningKey(new Ed25519PrivateKeyParameters(seed));
    }

    /// <summary>Reads a PKCS#8 PEM (label <c>PRIVATE KEY</c>): ours, <c>openssl genpkey -algorithm ed25519</c>,
    /// or BouncyCastle's form with the public key attached.</summary>
    public static SigningKey FromPem(string pem, string source = "private key") =>
        new(Ed25519Der.DecodePrivatePem(pem, source));

    public static SigningKey Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeyFormatException($"cannot read private key {path}: {ex.Message}");
        }

        return FromPem(text, path);
    }

    /// <summary>The 48-byte PKCS#8 v1 DER (OpenSSL 3.0 reads it; it rejects the 83-byte v2 form).</summary>
    public byte[] ToPkcs8() => Ed25519Der.EncodePrivate(_key.GetEncoded());

    public string ToPem() => Ed25519Der.ToPem(Ed25519Der.PrivateLabel, ToPkcs8());

    /// <summary>Writes the private PEM atomically, created with mode 0600 from the start. Without
    /// <paramref name="overwrite"/> an existing file is an <see cref="IOException"/> and is left alone.</summary>
    public void Save(string path, bool overwrite = false) =>
        Files.AtomicFile.Write(path, Encoding.ASCII.GetBytes(ToPem()), Files.AtomicFile.PrivateMode, overwrite);

    /// <summary>Plain Ed25519 over the exact bytes (no prehash), 64 bytes.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[VerifyingKey.SignatureLength];
        _key.Sign(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, message.ToArray(), 0, message.Length, signature, 0);
        return signature;
    }
}
