using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.Protocol.Tls;

/// <summary>Whether a device may replace the hub anchor it pins (<c>ca.crt</c>) with the one the hub hands it
/// (<c>hub-anchor</c> command). Fail closed; every rule has its own verdict:
/// the new anchors are well formed CAs, valid now; the endorsement is a CA certificate for the new issuing anchor's
/// key and name, chained to the anchor pinned now (so the old trust vouches for the new, as TUF's root rotation
/// does); the new issuing anchor did not issue the device's own certificate (the hub's identity stays apart from the
/// devices'). The device keeps the anchor it pinned before as a fallback until it has connected under the new one, so
/// a hub that still presents its legacy certificate, or an anchor that does not work, never cuts a tank off.</summary>
public static class HubAnchorEndorsement
{
    public static HubAnchorVerdict Check(
        X509Certificate2Collection current,
        string proposedPem,
        string endorsementPem,
        X509Certificate2 deviceCertificate,
        DateTimeOffset now)
    {
        X509Certificate2Collection proposed;
        X509Certificate2 endorsement;
        try
        {
            proposed = HubAnchors.FromPem(proposedPem);
            var endorsements = HubAnchors.FromPem(endorsementPem);
            if (endorsements.Count != 1)
            {
                return HubAnchorVerdict.Malformed;
            }

            endorsement = endorsements[0];
        }
        catch (CryptographicException)
        {
            return HubAnchorVerdict.Malformed;
        }

        if (HubAnchors.Fingerprint(proposed) == HubAnchors.Fingerprint(current))
        {
            return HubAnchorVerdict.Unchanged;
        }

        var roots = proposed.Where(HubAnchors.IsSelfSigned).ToList();
        var intermediates = proposed.Where(c => !HubAnchors.IsSelfSigned(c)).ToList();
        if (roots.Count != 1 || intermediates.Count > 1)
        {
            return HubAnchorVerdict.Malformed;
        }

        if (!proposed.All(HubAnchors.IsCa) || !HubAnchors.IsCa(endorsement))
        {
            return HubAnchorVerdict.NotACa;
        }

        if (proposed.Any(c => !ValidAt(c, now)) || !ValidAt(endorsement, now))
        {
            return HubAnchorVerdict.NotValidNow;
        }

        var issuing = HubAnchors.Issuing(proposed);
        if (issuing.Extensions.OfType<X509BasicConstraintsExtension>().First() is not { HasPathLengthConstraint: true, PathLengthConstraint: 0 })
        {
            // An anchor that may have CAs below it could hold a device CA (an offline root does): only one that
            // issues end-entity certificates alone can be the hub's.
            return HubAnchorVerdict.MayIssueCas;
        }

        if (intermediates.Count == 1 && !HubAnchors.Chains(issuing, proposed, [], null, now))
        {
            return HubAnchorVerdict.Malformed;
        }

        if (!HubAnchors.SameKey(endorsement, issuing))
        {
            return HubAnchorVerdict.EndorsementForOtherKey;
        }

        if (!HubAnchors.Chains(endorsement, current, [], null, now))
        {
            return HubAnchorVerdict.NotEndorsedByCurrentAnchor;
        }

        if (deviceCertificate.IssuerName.RawData.AsSpan().SequenceEqual(issuing.SubjectName.RawData)
            || HubAnchors.Chains(deviceCertificate, proposed, [], null, now))
        {
            return HubAnchorVerdict.IssuesDeviceCertificates;
        }

        return HubAnchorVerdict.Accepted;
    }

    private static bool ValidAt(X509Certificate2 c, DateTimeOffset now) =>
        now >= c.NotBefore.ToUniversalTime() && now <= c.NotAfter.ToUniversalTime();
}

public enum HubAnchorVerdict
{
    Accepted = 0,

    /// <summary>The same anchors the device pins already.</summary>
    Unchanged,

    /// <summary>Not PEM certificates, or not one self-signed anchor (with at most one server CA it issued), or more
    /// than one endorsement.</summary>
    Malformed,

    /// <summary>An anchor or the endorsement lacks basicConstraints CA:TRUE.</summary>
    NotACa,

    /// <summary>An anchor or the endorsement is expired or not yet valid.</summary>
    NotValidNow,

    /// <summary>The endorsement names another key or subject than the new issuing anchor.</summary>
    EndorsementForOtherKey,

    /// <summary>The endorsement does not chain to the anchor the device pins now.</summary>
    NotEndorsedByCurrentAnchor,

    /// <summary>The new issuing anchor has no pathLenConstraint 0, so a device CA could sit below it.</summary>
    MayIssueCas,

    /// <summary>The new anchor issued the device's own certificate: it would let a device pass as the hub.</summary>
    IssuesDeviceCertificates,

}
