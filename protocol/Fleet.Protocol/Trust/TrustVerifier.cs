namespace Fleet.Protocol.Trust;

/// <summary>The one place trust metadata becomes trusted, following the TUF client workflow: signatures by a
/// threshold of the keys the trusted root names for the role, versions that never go back, and expiry. Nothing
/// escapes as an exception: every refusal is a named <see cref="TrustFailure"/>.</summary>
public static class TrustVerifier
{
    /// <summary>A root with nothing trusted before it (provisioning): signed by a threshold of its own root keys.
    /// Expiry is not checked here; <see cref="TrustedMetadata.Authorize"/> checks it before firmware is trusted.</summary>
    public static TrustResult<RootMetadata> VerifyInitialRoot(ReadOnlySpan<byte> json) => VerifyRoot(json, null);

    /// <summary>TUF 5.3: the next root must be exactly one version on, signed by a threshold of the trusted root's
    /// root keys and a threshold of its own, and for the same product.</summary>
    public static TrustResult<RootMetadata> VerifyRoot(ReadOnlySpan<byte> json, RootMetadata? trusted)
    {
        try
        {
            var envelope = SignedEnvelope.Parse(json, "root.json");
            if (envelope.Type != TufRoles.Root)
            {
                return TrustResult<RootMetadata>.Fail(TrustFailure.WrongType, $"expected root metadata, got _type '{envelope.Type}'");
            }

            var root = RootMetadata.Parse(envelope, json);
            if (trusted is not null)
            {
                if (!string.Equals(root.Product, trusted.Product, StringComparison.Ordinal))
                {
                    return TrustResult<RootMetadata>.Fail(TrustFailure.WrongProduct, $"root.json v{root.Version} is for product '{root.Product}', not '{trusted.Product}'");
                }

                if (root.Version != trusted.Version + 1)
                {
                    return TrustResult<RootMetadata>.Fail(TrustFailure.VersionRollback, $"root.json v{root.Version} does not follow the trusted v{trusted.Version}; roots rotate one version at a time");
                }

                var byOld = envelope.SignedBy(trusted.Role(TufRoles.Root), trusted.Keys);
                if (byOld.Count < trusted.Role(TufRoles.Root).Threshold)
                {
                    return TrustResult<RootMetadata>.Fail(TrustFailure.ThresholdNotMet, $"root.json v{root.Version} carries {byOld.Count} valid signatures from the keys of root v{trusted.Version}; {trusted.Role(TufRoles.Root).Threshold} are needed");
                }
            }

            var byOwn = envelope.SignedBy(root.Role(TufRoles.Root), root.Keys);
            if (byOwn.Count < root.Role(TufRoles.Root).Threshold)
            {
                return TrustResult<RootMetadata>.Fail(TrustFailure.ThresholdNotMet, $"root.json v{root.Version} carries {byOwn.Count} valid signatures from its own root keys; {root.Role(TufRoles.Root).Threshold} are needed");
            }

            return TrustResult<RootMetadata>.Ok(root, $"root v{root.Version} of '{root.Product}'");
        }
        catch (TrustFormatException ex)
        {
            return TrustResult<RootMetadata>.Fail(TrustFailure.Malformed, ex.Message);
        }
    }

    /// <summary>TUF 5.6: targets signed by a threshold of the root's targets keys, not older than the trusted one
    /// (the same version only with the same content), and not expired at <paramref name="now"/>.</summary>
    public static TrustResult<TargetsMetadata> VerifyTargets(ReadOnlySpan<byte> json, RootMetadata root, TargetsMetadata? trusted, DateTimeOffset now)
    {
        try
        {
            var envelope = SignedEnvelope.Parse(json, "targets.json");
            if (envelope.Type != TufRoles.Targets)
            {
                return TrustResult<TargetsMetadata>.Fail(TrustFailure.WrongType, $"expected targets metadata, got _type '{envelope.Type}'");
            }

            var role = root.Role(TufRoles.Targets);
            var signers = envelope.SignedBy(role, root.Keys);
            if (signers.Count < role.Threshold)
            {
                return TrustResult<TargetsMetadata>.Fail(TrustFailure.ThresholdNotMet, $"targets.json carries {signers.Count} valid signatures from the targets keys of root v{root.Version}; {role.Threshold} are needed");
            }

            var targets = TargetsMetadata.Parse(envelope, json);
            if (trusted is not null)
            {
                if (targets.Version < trusted.Version)
                {
                    return TrustResult<TargetsMetadata>.Fail(TrustFailure.VersionRollback, $"targets.json v{targets.Version} is older than the trusted v{trusted.Version}");
                }

                if (targets.Version == trusted.Version
                    && !CanonicalJson.Encode(SignedEnvelope.Parse(trusted.Raw, "trusted targets.json").Signed).AsSpan().SequenceEqual(envelope.Canonical))
                {
                    return TrustResult<TargetsMetadata>.Fail(TrustFailure.VersionConflict, $"targets.json v{targets.Version} differs from the trusted document of the same version");
                }
            }

            if (targets.Expires <= now)
            {
                return TrustResult<TargetsMetadata>.Fail(TrustFailure.Expired, $"targets.json v{targets.Version} expired at {StrictJson.FormatTimestamp(targets.Expires)}; sign a new one with 'fleet trust'");
            }

            return TrustResult<TargetsMetadata>.Ok(targets, $"targets v{targets.Version}");
        }
        catch (TrustFormatException ex)
        {
            return TrustResult<TargetsMetadata>.Fail(TrustFailure.Malformed, ex.Message);
        }
    }
}
