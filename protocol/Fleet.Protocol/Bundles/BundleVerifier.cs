using Semver;

namespace Fleet.Protocol.Bundles;

/// <summary>Checks bundles and manifests against a <see cref="VerificationPolicy"/>. Never throws for bad input:
/// every refusal is a <see cref="VerificationResult"/> with a named <see cref="VerificationFailure"/>.
/// Order: ZIP structure and sizes, signature over the exact manifest bytes, manifest content, policy, then payload.</summary>
public static class BundleVerifier
{
    /// <summary>Checks <c>manifest.json</c> + <c>manifest.sig</c> on their own, without payload: the device does this
    /// for an <c>update</c> command before downloading a byte; the hub for an upload.</summary>
    public static VerificationResult VerifyManifest(ReadOnlySpan<byte> manifestJson, ReadOnlySpan<byte> signaturesJson, VerificationPolicy policy)
    {
        try
        {
            return VerifyManifestCore(manifestJson.ToArray(), signaturesJson.ToArray(), policy);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return VerificationResult.Fail(VerificationFailure.MalformedManifest, $"the manifest could not be checked ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary><see cref="VerifyManifest"/> for the <c>update</c> command's arguments. A manifest that is not base64,
    /// or a chunk count that disagrees with the signed manifest, is <see cref="VerificationFailure.MalformedManifest"/>.</summary>
    public static VerificationResult VerifyOffer(Messages.UpdateOffer offer, VerificationPolicy policy)
    {
        // Bound the text before decoding it: an offer arrives over the network.
        if ((offer.ManifestBase64?.Length ?? 0) > ((policy.Limits.MaxManifestBytes + 2) / 3 * 4))
        {
            return VerificationResult.Fail(VerificationFailure.ManifestTooLarge, $"the update offer's manifest is over {policy.Limits.MaxManifestBytes} bytes");
        }

        if ((offer.Signatures?.Length ?? 0) > policy.Limits.MaxSignatureBytes)
        {
            return VerificationResult.Fail(VerificationFailure.SignaturesTooLarge, $"the update offer's signatures are over {policy.Limits.MaxSignatureBytes} bytes");
        }

        byte[] manifest;
        try
        {
            manifest = Convert.FromBase64String(offer.ManifestBase64 ?? "");
        }
        catch (FormatException)
        {
            return VerificationResult.Fail(VerificationFailure.MalformedManifest, "the update offer's manifest is not base64");
        }

        var result = VerifyManifest(manifest, System.Text.Encoding.UTF8.GetBytes(offer.Signatures ?? ""), policy);
        if (result.IsValid && offer.ChunkCount != 0 && offer.ChunkCount != result.Manifest.Payload.Chunks.Count)
        {
            return VerificationResult.Fail(VerificationFailure.MalformedManifest, $"the update offer says {offer.ChunkCount} chunks but the signed manifest has {result.Manifest.Payload.Chunks.Count}") with { Manifest = result.Manifest };
        }

        return result;
    }

    /// <summary>Verifies a whole <c>.fwb</c> file: structure, signature, policy, payload size and every chunk hash,
    /// and the whole-payload SHA-256 (computed on a second thread). Progress reports payload bytes checked.</summary>
    public static VerificationResult VerifyFile(string path, VerificationPolicy policy, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var result = OpenVerified(path, policy, out var bundle, progress, cancellationToken);
        bundle?.Dispose();
        return result;
    }

    public static Task<VerificationResult> VerifyFileAsync(string path, VerificationPolicy policy, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => VerifyFile(path, policy, progress, cancellationToken), cancellationToken);

    /// <summary>Like <see cref="VerifyFile"/>, and on success hands back the open <see cref="VerifiedBundle"/>
    /// (the hub stores its payload, content-addressed).</summary>
    public static VerificationResult OpenVerified(string path, VerificationPolicy policy, out VerifiedBundle? bundle,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        bundle = null;
        var opened = BundleArchive.TryOpen(path, policy.Limits, out var archive);
        if (!opened.IsValidStep())
        {
            return opened;
        }

        var keep = false;
        try
        {
            var result = VerifyManifestCore(archive!.ManifestBytes, archive.SignatureBytes, policy);
            if (!result.IsValidStep())
            {
                return result;
            }

            var payload = CheckPayload(archive, result.Manifest!, policy, progress, cancellationToken);
            if (!payload.IsValidStep())
            {
                return payload with { Manifest = result.Manifest, Signatures = result.Signatures };
            }

            bundle = new VerifiedBundle(archive, result.Manifest!, result.SignedBy!);
            keep = true;
            return result with { Message = $"{ManifestCodec.Describe(result.Manifest!)}, signed by {result.SignedBy}" };
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return BundleArchive.ReadFailure(ex, Path.GetFileName(path));
        }
        finally
        {
            if (!keep)
            {
                archive!.Dispose();
            }
        }
    }

    /// <summary>Reads a bundle's manifest and signatures without trusting anything (for <c>fleet firmware inspect</c>):
    /// the result carries the parsed manifest and signature list, or the structural failure.</summary>
    public static VerificationResult Inspect(string path, BundleLimits? limits = null)
    {
        limits ??= BundleLimits.Default;
        var opened = BundleArchive.TryOpen(path, limits, out var archive);
        if (!opened.IsValidStep())
        {
            return opened;
        }

        using (archive)
        {
            try
            {
                var sigs = SignatureCodec.TryParse(archive!.SignatureBytes.AsMemory(), limits, out var signatures);
                var parsed = ManifestCodec.TryParse(archive.ManifestBytes.AsMemory(), limits, out var manifest);
                if (!parsed.IsValidStep())
                {
                    return parsed with { Signatures = signatures };
                }

                if (archive.PayloadLength != manifest!.Payload.Size)
                {
                    return VerificationResult.Fail(VerificationFailure.SizeMismatch, $"the payload entry holds {archive.PayloadLength} bytes but the manifest says {manifest.Payload.Size}") with { Manifest = manifest, Signatures = signatures };
                }

                return (sigs.IsValidStep() ? new VerificationResult(VerificationFailure.None, ManifestCodec.Describe(manifest)) : sigs)
                    with { Manifest = manifest, Signatures = signatures };
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                return BundleArchive.ReadFailure(ex, Path.GetFileName(path));
            }
        }
    }

    private static VerificationResult VerifyManifestCore(ReadOnlyMemory<byte> manifestJson, ReadOnlyMemory<byte> signaturesJson, VerificationPolicy policy)
    {
        var limits = policy.Limits;
        if (manifestJson.Length > limits.MaxManifestBytes)
        {
            return VerificationResult.Fail(VerificationFailure.ManifestTooLarge, $"manifest.json is {manifestJson.Length} bytes; the limit is {limits.MaxManifestBytes}");
        }

        var sigs = SignatureCodec.TryParse(signaturesJson, limits, out var signatures);
        if (!sigs.IsValidStep())
        {
            return sigs;
        }

        // The signature is checked over the raw bytes before the JSON parser sees them.
        var signed = SignatureCheck.Check(manifestJson, signatures, policy.TrustedKeys);
        if (!signed.IsValidStep())
        {
            return signed with { Signatures = signatures };
        }

        var parsed = ManifestCodec.TryParse(manifestJson, limits, out var manifest);
        if (!parsed.IsValidStep())
        {
            return parsed with { Signatures = signatures };
        }

        var policyResult = CheckPolicy(manifest!, policy);
        return policyResult with { Manifest = manifest, Signatures = signatures, SignedBy = policyResult.IsValidStep() ? signed.SignedBy : null, TrustedSigners = policyResult.IsValidStep() ? signed.TrustedSigners : [] };
    }

    private static VerificationResult CheckPolicy(Manifest m, VerificationPolicy policy)
    {
        if (policy.Product is { } product && !string.Equals(product, m.Product, StringComparison.Ordinal))
        {
            return VerificationResult.Fail(VerificationFailure.ProductMismatch, $"the bundle is for product '{m.Product}', expected '{product}'");
        }

        if (policy.Platform is { } platform && !string.Equals(platform, m.Platform, StringComparison.Ordinal))
        {
            return VerificationResult.Fail(VerificationFailure.PlatformMismatch, $"the bundle is for platform '{m.Platform}', expected '{platform}'");
        }

        if (policy.Architecture is { } arch && !string.Equals(arch, m.Architecture, StringComparison.Ordinal))
        {
            return VerificationResult.Fail(VerificationFailure.ArchitectureMismatch, $"the bundle is for architecture '{m.Architecture}', expected '{arch}'");
        }

        if (m.Payload.Size > policy.Limits.MaxPayloadBytes)
        {
            return VerificationResult.Fail(VerificationFailure.PayloadTooLarge, $"payload is {m.Payload.Size} bytes; the limit is {policy.Limits.MaxPayloadBytes}");
        }

        if (policy.InstalledVersion is { } installed && SemVersion.ComparePrecedence(m.Version, installed) < 0 && !m.AllowDowngrade)
        {
            return VerificationResult.Fail(VerificationFailure.DowngradeRefused, $"version {m.Version} is lower than the installed {installed}; sign a bundle with allowDowngrade to roll back on purpose");
        }

        return new VerificationResult(VerificationFailure.None, ManifestCodec.Describe(m));
    }

    private static VerificationResult CheckPayload(BundleArchive archive, Manifest manifest, VerificationPolicy policy, IProgress<long>? progress, CancellationToken ct)
    {
        if (archive.PayloadLength != manifest.Payload.Size)
        {
            return VerificationResult.Fail(VerificationFailure.SizeMismatch, $"the payload holds {archive.PayloadLength} bytes but the manifest says {manifest.Payload.Size}");
        }

        using var stream = archive.OpenPayload();
        return CheckPayloadStream(stream, manifest, policy.CheckWholePayloadHash, progress, ct);
    }

    /// <summary>Checks a payload on its own against a manifest that was already verified (e.g. the device's staging
    /// file, assembled from chunks): exact size, every chunk hash, and optionally <c>payload.sha256</c>.
    /// Reads <paramref name="payload"/> to its end; never throws for bad content.</summary>
    public static VerificationResult VerifyPayload(Stream payload, Manifest manifest, bool checkWholePayloadHash = true,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return CheckPayloadStream(payload, manifest, checkWholePayloadHash, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return VerificationResult.Fail(VerificationFailure.Unreadable, $"the payload could not be read: {ex.Message}");
        }
    }

    private static VerificationResult CheckPayloadStream(Stream stream, Manifest manifest, bool wholeHash, IProgress<long>? progress, CancellationToken ct)
    {
        var size = manifest.Payload.Size;
        using var digest = new PayloadDigest(manifest.Payload.Chunks, wholeHash: wholeHash);
        long done = 0;
        while (done < size)
        {
            ct.ThrowIfCancellationRequested();
            var buffer = digest.Rent();
            var want = (int)Math.Min(buffer.Length, size - done);
            var filled = 0;
            while (filled < want)
            {
                var n = stream.Read(buffer, filled, want - filled);
                if (n == 0)
                {
                    return VerificationResult.Fail(VerificationFailure.TruncatedArchive, $"the payload ends after {done + filled} of {size} bytes: the file is truncated");
                }

                filled += n;
            }

            if (!digest.Submit(buffer, filled))
            {
                return VerificationResult.Fail(VerificationFailure.ChunkHashMismatch, $"payload chunk {digest.MismatchedChunk} (bytes from {manifest.Payload.OffsetOf(Math.Min(digest.MismatchedChunk, manifest.Payload.Chunks.Count - 1))}) does not match its signed hash: the payload was changed or damaged");
            }

            done += filled;
            progress?.Report(done);
        }

        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) != 0)
        {
            return VerificationResult.Fail(VerificationFailure.SizeMismatch, $"the payload continues beyond the {size} bytes the manifest says");
        }

        var whole = digest.Finish();
        if (!digest.AllChunksSeen && size > 0)
        {
            return VerificationResult.Fail(VerificationFailure.SizeMismatch, "the payload ended before its last chunk");
        }

        if (whole is not null && !string.Equals(whole, manifest.Payload.Sha256, StringComparison.Ordinal))
        {
            return VerificationResult.Fail(VerificationFailure.PayloadHashMismatch, $"the payload's SHA-256 is {whole} but the manifest says {manifest.Payload.Sha256}");
        }

        return new VerificationResult(VerificationFailure.None, $"payload matches {ManifestCodec.Describe(manifest)}") { Manifest = manifest, SignedBy = "" };
    }
}
