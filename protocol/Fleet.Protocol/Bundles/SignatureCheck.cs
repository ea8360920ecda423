using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Bundles;

/// <summary>Accepts the manifest when at least one ed25519 signature by a trusted key verifies over its exact bytes.
/// Any entry that is not well-formed refuses the whole list: a tampered manifest.sig is not "partly fine".</summary>
internal static class SignatureCheck
{
    public static VerificationResult Check(ReadOnlySpan<byte> manifest, IReadOnlyList<BundleSignature> signatures, IReadOnlyList<VerifyingKey> trusted)
    {
        if (signatures.Count == 0)
        {
            return VerificationResult.Fail(VerificationFailure.Unsigned, "the bundle is not signed; sign it with 'fleet firmware sign FILE --key NAME'");
        }

        var decoded = new List<(BundleSignature Entry, byte[]? Bytes)>();
        foreach (var s in signatures)
        {
            if (s.KeyId.Length != 16 || !s.KeyId.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                return VerificationResult.Fail(VerificationFailure.MalformedSignature, $"manifest.sig has a keyId that is not 16 lowercase hex characters");
            }

            if (!string.Equals(s.Alg, BundleSignature.Ed25519, StringComparison.Ordinal))
            {
                decoded.Add((s, null));
                continue;
            }

            var bytes = new byte[VerifyingKey.SignatureLength + 3];
            if (!Convert.TryFromBase64String(s.Sig, bytes, out var written) || written != VerifyingKey.SignatureLength)
            {
                return VerificationResult.Fail(VerificationFailure.MalformedSignature, $"the signature by key {s.KeyId} is not 64 bytes of base64");
            }

            decoded.Add((s, bytes[..VerifyingKey.SignatureLength]));
        }

        if (decoded.All(d => d.Bytes is null))
        {
            return VerificationResult.Fail(VerificationFailure.UnknownAlgorithm,
                $"no ed25519 signature (found {string.Join(", ", signatures.Select(s => $"'{Printable(s.Alg)}'").Distinct())}); this build verifies ed25519 only");
        }

        if (trusted.Count == 0)
        {
            return VerificationResult.Fail(VerificationFailure.UnknownKey, "no trusted public keys are configured, so nothing can verify; pass the signer's public key");
        }

        var sawTrustedButBad = false;
        foreach (var (entry, bytes) in decoded)
        {
            if (bytes is null)
            {
                continue;
            }

            foreach (var key in trusted)
            {
                if (!string.Equals(key.KeyId, entry.KeyId, StringComparison.Ordinal))
                {
                    continue;
                }

                if (key.Verify(manifest, bytes))
                {
                    return new VerificationResult(VerificationFailure.None, $"signed by {key.KeyId}") { SignedBy = key.KeyId };
                }

                sawTrustedButBad = true;
            }
        }

        if (sawTrustedButBad)
        {
            return VerificationResult.Fail(VerificationFailure.BadSignature, "the signature does not match manifest.json: the manifest was changed after signing");
        }

        return VerificationResult.Fail(VerificationFailure.UnknownKey,
            $"signed by {string.Join(", ", decoded.Where(d => d.Bytes is not null).Select(d => d.Entry.KeyId))}, which is not a trusted key (trusted: {string.Join(", ", trusted.Select(k => k.KeyId))})");
    }

    private static string Printable(string s) => new([.. s.Take(20).Select(c => char.IsControl(c) ? '?' : c)]);
}
