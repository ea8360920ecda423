using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;

namespace Fleet.Protocol.Signing;

/// <summary>DER and PEM forms of Ed25519 keys (RFC 8410). We write the 48-byte PKCS#8 v1 form because
/// OpenSSL 3.0 cannot read BouncyCastle's default v2 form (with the public key attached); we read both.</summary>
internal static class Ed25519Der
{
    public const string PrivateLabel = "PRIVATE KEY";
    public const string PublicLabel = "PUBLIC KEY";

    // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }
    private static readonly byte[] Pkcs8Prefix = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

    // SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits, 32 bytes) }
    private static readonly byte[] SpkiPrefix = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    public static byte[] EncodePrivate(ReadOnlySpan<byte> seed) => [.. Pkcs8Prefix, .. seed];

    public static byte[] EncodePublic(ReadOnlySpan<byte> raw) => [.. SpkiPrefix, .. raw];

    public static string ToPem(string label, byte[] der) => new string(PemEncoding.Write(label, der)) + "\n";

    public static Ed25519PrivateKeyParameters DecodePrivatePem(string pem, string source)
    {
        var der = FindPem(pem, PrivateLabel, source);
        try
        {
            var info = PrivateKeyInfo.GetInstance(der);
            if (!info.PrivateKeyAlgorithm.Algorithm.Equals(EdECObjectIdentifiers.id_Ed25519))
            {
                throw new KeyFormatException($"{source} holds a {info.PrivateKeyAlgorithm.Algorithm.Id} key, not Ed25519: create one with 'fleet keys create' or 'openssl genpkey -algorithm ed25519'");
            }

            return (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(info);
        }
        catch (Exception ex) when (ex is not KeyFormatException)
        {
            throw new KeyFormatException($"{source} is not a readable PKCS#8 Ed25519 private key ({ex.Message})");
        }
    }

    public static Ed25519PublicKeyParameters DecodePublicPem(string pem, string source)
    {
        var der = FindPem(pem, PublicLabel, source);
        try
        {
            var info = SubjectPublicKeyInfo.GetInstance(der);
            if (!info.Algorithm.Algorithm.Equals(EdECObjectIdentifiers.id_Ed25519))
            {
                throw new KeyFormatException($"{source} holds a {info.Algorithm.Algorithm.Id} public key, not Ed25519");
            }

            return (Ed25519PublicKeyParameters)PublicKeyFactory.CreateKey(info);
        }
        catch (Exception ex) when (ex is not KeyFormatException)
        {
            throw new KeyFormatException($"{source} is not a readable SPKI Ed25519 public key ({ex.Message})");
        }
    }

    private static byte[] FindPem(string pem, string label, string source)
    {
        var text = pem.AsSpan();
        while (PemEncoding.TryFind(text, out var fields))
        {
            if (text[fields.Label].SequenceEqual(label))
            {
                return Convert.FromBase64String(text[fields.Base64Data].ToString());
            }

            text = text[fields.Location.End..];
        }

        throw new KeyFormatException($"{source} has no '-----BEGIN {label}-----' block: expected a PEM {(label == PrivateLabel ? "PKCS#8 private" : "SPKI public")} key");
    }
}
