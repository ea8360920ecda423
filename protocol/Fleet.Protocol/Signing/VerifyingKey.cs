using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;

namespace Fleet.Protocol.Signing;

/// <summary>An Ed25519 public key: what devices and the hub trust. Identified by <see cref="KeyId"/>,
/// the first 8 bytes of SHA-256 of the raw 32-byte key in hex, as written in <c>manifest.sig</c>.</summary>
public sealed class VerifyingKey : IEquatable<VerifyingKey>
{
    public const int RawLength = 32;
    public const int SignatureLength = 64;

    private readonly Ed25519PublicKeyParameters _key;
    private readonly byte[] _raw;

    private VerifyingKey(Ed25519PublicKeyParameters key)
    {
        _key = key;
        _raw = key.GetEncoded();
        KeyId = ComputeKeyId(_raw);
    }

    /// <summary>16 lowercase hex characters.</summary>
    public string KeyId { get; }

    /// <summary>The raw 32-byte public key (RFC 8032 encoding).</summary>
    public ReadOnlyMemory<byte> Raw => _raw;

    public static VerifyingKey FromRaw(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != RawLength)
        {
            throw new KeyFormatException($"an Ed25519 public key is {RawLength} bytes, got {raw.Length}");
        }

        try
        {
            return new VerifyingKey(new Ed25519PublicKeyParameters(raw));
        }
        catch (ArgumentException ex)
        {
            throw new KeyFormatException($"not a valid Ed25519 public key: {ex.Message}");
        }
    }

    /// <summary>Reads an SPKI <c>-----BEGIN PUBLIC KEY-----</c> PEM (ours or <c>openssl pkey -pubout</c>).</summary>
    public static VerifyingKey FromPem(string pem, string source = "public key") =>
        new(Ed25519Der.DecodePublicPem(pem, source));

    public static VerifyingKey Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeyFormatException($"cannot read public key {path}: {ex.Message}");
        }

        return FromPem(text, path);
    }

    public static string ComputeKeyId(ReadOnlySpan<byte> raw)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(raw, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    public byte[] ToSpki() => Ed25519Der.EncodePublic(_raw);

    public string ToPem() => Ed25519Der.ToPem(Ed25519Der.PublicLabel, ToSpki());

    /// <summary>Writes the SPKI PEM atomically (mode 0644).</summary>
    public void Save(string path, bool overwrite = false) =>
        Files.AtomicFile.Write(path, Encoding.ASCII.GetBytes(ToPem()), Files.AtomicFile.PublicMode, overwrite);

    /// <summary>Plain Ed25519 (RFC 8032, no prehash, no context), so <c>openssl pkeyutl -verify -rawin</c> agrees.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength)
        {
            return false;
        }

        // BouncyCastle wants arrays; the manifest is at most 1 MiB so one copy is fine.
        return _key.Verify(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, message.ToArray(), 0, message.Length, signature.ToArray(), 0);
    }

    public bool Equals(VerifyingKey? other) => other is not null && _raw.AsSpan().SequenceEqual(other._raw);

    public override bool Equals(object? obj) => Equals(obj as VerifyingKey);

    public override int GetHashCode() => BitConverter.ToInt32(_raw, 0);

    public override string ToString() => $"ed25519:{KeyId}";
}
