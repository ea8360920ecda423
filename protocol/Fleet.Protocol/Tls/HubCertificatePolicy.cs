using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.Protocol.Tls;

/// <summary>How the agent and the CLI decide that they are talking to the hub, in one place. The certificate must
/// chain to the pinned hub anchor only, carry serverAuth, and name the dialled host in a subjectAltName (DNS name,
/// case-insensitive, or IP address, exact; no wildcards, no CN fallback). A device certificate from the same PKI
/// carries clientAuth only, so it can never pass as the hub, whatever its CN or serial. When the pinned anchors hold a
/// server CA under an offline root, the chain must pass through that server CA (<see cref="HubAnchors"/>).</summary>
public static class HubCertificatePolicy
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string SubjectAltName = "2.5.29.17";

    public static HubCertificateVerdict Check(X509Certificate? presented, X509Chain? presentedChain, string dialledHost, X509Certificate2Collection anchors) =>
        Check(presented, Sent(presentedChain), dialledHost, anchors);

    /// <summary>What the TLS layer's own chain holds of the server's certificates: the elements it built and the
    /// extra certificates the server sent (kept in the policy's extra store).</summary>
    public static IReadOnlyList<X509Certificate2> Sent(X509Chain? presentedChain) =>
        presentedChain is null ? [] : [.. presentedChain.ChainElements.Select(e => e.Certificate), .. presentedChain.ChainPolicy.ExtraStore];

    /// <summary>The same check with the certificates the server sent besides its own (its intermediates).</summary>
    public static HubCertificateVerdict Check(X509Certificate? presented, IReadOnlyList<X509Certificate2> presentedChain, string dialledHost, X509Certificate2Collection anchors)
    {
        if (presented is null)
        {
            return HubCertificateVerdict.NoCertificate;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (HubAnchors.IsCa(leaf))
        {
            // A CA certificate is never a TLS server's own: the pinned server CA itself must not pass as the hub.
            return HubCertificateVerdict.NotServerAuth;
        }

        if (!HasServerAuth(leaf))
        {
            return HubCertificateVerdict.NotServerAuth;
        }

        if (!NamesHost(leaf, dialledHost))
        {
            return HubCertificateVerdict.NameMismatch;
        }

        return HubAnchors.Chains(leaf, anchors, presentedChain, ServerAuth) ? HubCertificateVerdict.Trusted : HubCertificateVerdict.UntrustedChain;
    }

    private static bool HasServerAuth(X509Certificate2 leaf) =>
        leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == ServerAuth));

    /// <summary>Reads the subjectAltName itself rather than trusting SslPolicyErrors, whose name check falls back to
    /// the CN when a certificate has no SAN.</summary>
    private static bool NamesHost(X509Certificate2 leaf, string host)
    {
        var extension = leaf.Extensions.FirstOrDefault(e => e.Oid?.Value == SubjectAltName);
        if (extension is null)
        {
            return false;
        }

        var isIp = IPAddress.TryParse(host.Trim('[', ']'), out var ip);
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                var tag = reader.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    reader.ReadEncodedValue();
                    continue;
                }

                switch (tag.TagValue)
                {
                    case 2: // dNSName
                        var dns = reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 2));
                        if (!isIp && string.Equals(dns, host, StringComparison.OrdinalIgnoreCase))
                        {
                            return true;
                        }

                        break;
                    case 7: // iPAddress
                        var raw = reader.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7));
                        if (isIp && raw.AsSpan().SequenceEqual(ip!.GetAddressBytes()))
                        {
                            return true;
                        }

                        break;
                    default:
                        reader.ReadEncodedValue();
                        break;
                }
            }
        }
        catch (AsnContentException)
        {
            return false;
        }

        return false;
    }
}
