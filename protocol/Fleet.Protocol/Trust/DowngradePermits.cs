namespace Fleet.Protocol.Trust;

/// <summary>Checks a <see cref="DowngradePermit"/> against what a device trusts and what it is about to do.</summary>
public static class DowngradePermits
{
    /// <summary>The permit must be signed by a threshold of a delegated role that covers <paramref name="scope"/>,
    /// name exactly the offered release (uuid and version) and the installed version (compared as written, build
    /// metadata included), be for the trusted product, and not have expired.</summary>
    public static TrustResult<DowngradePermit> Verify(ReadOnlySpan<byte> json, TrustedMetadata trust, FirmwareScope scope, string offeredUuid, string installedVersion, DateTimeOffset now)
    {
        try
        {
            var envelope = SignedEnvelope.Parse(json, "downgrade permit");
            if (envelope.Type != DowngradePermit.Type)
            {
                return TrustResult<DowngradePermit>.Fail(TrustFailure.WrongType, $"expected a downgrade permit, got _type '{envelope.Type}'");
            }

            var permit = DowngradePermit.Parse(envelope);
            if (!string.Equals(permit.Product, trust.Product, StringComparison.Ordinal))
            {
                return TrustResult<DowngradePermit>.Fail(TrustFailure.WrongProduct, $"the downgrade permit is for product '{permit.Product}', not '{trust.Product}'");
            }

            if (!string.Equals(permit.TargetUuid, offeredUuid, StringComparison.Ordinal) || !string.Equals(permit.TargetVersion, scope.Version, StringComparison.Ordinal))
            {
                return TrustResult<DowngradePermit>.Fail(TrustFailure.PermitMismatch, $"the downgrade permit is for {permit.TargetVersion} ({permit.TargetUuid}), not the offered {scope.Version} ({offeredUuid})");
            }

            if (!permit.Replaces.Contains(installedVersion, StringComparer.Ordinal))
            {
                return TrustResult<DowngradePermit>.Fail(TrustFailure.PermitMismatch, $"the downgrade permit replaces {string.Join(", ", permit.Replaces)}, not the installed {installedVersion}");
            }

            if (permit.Expires <= now)
            {
                return TrustResult<DowngradePermit>.Fail(TrustFailure.Expired, $"the downgrade permit for {permit.TargetVersion} expired at {StrictJson.FormatTimestamp(permit.Expires)}");
            }

            var keys = trust.Targets.DelegationKeys;
            var signers = new List<string>();
            foreach (var role in trust.Targets.Delegations)
            {
                var by = envelope.SignedBy(role.Keys, keys);
                signers.AddRange(by.Select(id => keys[id].FleetKeyId));
                if (by.Count >= role.Keys.Threshold)
                {
                    var allowed = trust.Authorize([.. by.Select(id => keys[id].FleetKeyId)], scope, now);
                    if (allowed.IsValid)
                    {
                        return TrustResult<DowngradePermit>.Ok(permit, $"downgrade to {permit.TargetVersion} permitted by {allowed.Message}");
                    }
                }
            }

            return signers.Count == 0
                ? TrustResult<DowngradePermit>.Fail(TrustFailure.UnknownSigner, "the downgrade permit is not signed by any key the trusted targets list (unknown or revoked)")
                : TrustResult<DowngradePermit>.Fail(TrustFailure.OutOfScope, $"the downgrade permit is signed by {string.Join(", ", signers.Distinct())}, whose scope does not cover {scope.Describe()}");
        }
        catch (TrustFormatException ex)
        {
            return TrustResult<DowngradePermit>.Fail(TrustFailure.Malformed, ex.Message);
        }
    }
}
