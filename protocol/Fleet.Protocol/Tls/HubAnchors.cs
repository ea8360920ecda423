using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.Protocol.Tls;

/// <summary>The certificates a client pins for the hub (<c>ca.crt</c>): one self-signed anchor, or an offline root
/// followed by the server CA it issued. When a server CA is pinned, the hub's certificate must chain through it
/// (<see cref="HubCertificatePolicy"/>), so the root's other children (the device CA) never vouch for a server.</summary>
public static class HubAnchors
{
    public const int MaxPemBytes = 64 * 1024;

    /// <summary>Every certificate in a PEM bundle, in order. Throws <see cref="CryptographicException"/> when there
    /// is none or one does not parse.</summary>
    public static X509Certificate2Collection FromPem(string pem)
    {
        if (pem.Length > MaxPemBytes)
        {
            throw new CryptographicException($"a hub anchor bundle is at most {MaxPemBytes} bytes");
        }

        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(pem);
        if (certificates.Count == 0)
        {
            throw new CryptographicException("no certificate in the PEM text");
        }

        return certificates;
    }

    public static X509Certificate2Collection Load(string path) => FromPem(File.ReadAllText(path));

    public static string ToPem(IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    /// <summary>Lower-case hex SHA-256 over the DER of each certificate, sorted, so the same set gives the same
    /// fingerprint in any order. Devices report it in their status.</summary>
    public static string Fingerprint(IEnumerable<X509Certificate2> certificates)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var der in certificates.Select(c => Convert.ToHexString(c.RawData)).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Convert.FromHexString(der));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    public static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    /// <summary>The certificate that issues the hub's server certificate: the pinned server CA when there is one,
    /// else the self-signed anchor.</summary>
    public static X509Certificate2 Issuing(X509Certificate2Collection anchors) =>
        anchors.FirstOrDefault(c => !IsSelfSigned(c)) ?? anchors[0];

    public static bool SameKey(X509Certificate2 a, X509Certificate2 b) =>
        a.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(b.PublicKey.EncodedKeyValue.RawData)
        && a.PublicKey.Oid.Value == b.PublicKey.Oid.Value
        && a.SubjectName.RawData.AsSpan().SequenceEqual(b.SubjectName.RawData);

    /// <summary>Whether <paramref name="certificate"/> chains to the self-signed anchors of <paramref name="anchors"/>
    /// (with their intermediates and <paramref name="extra"/> as helpers), optionally for a purpose, and, when
    /// <paramref name="anchors"/> pins a server CA, through it.</summary>
    public static bool Chains(X509Certificate2 certificate, X509Certificate2Collection anchors, IEnumerable<X509Certificate2> extra, string? purposeOid, DateTimeOffset? at = null)
    {
        var roots = anchors.Where(IsSelfSigned).ToList();
        var pinnedIntermediates = anchors.Where(c => !IsSelfSigned(c)).ToList();
        if (roots.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(pinnedIntermediates.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(extra.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (at is { } when)
        {
            chain.ChainPolicy.VerificationTime = when.UtcDateTime;
            chain.ChainPolicy.VerificationTimeIgnored = false;
        }

        if (purposeOid is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(purposeOid));
        }

        try
        {
            if (!chain.Build(certificate))
            {
                return false;
            }

            if (pinnedIntermediates.Count == 0)
            {
                return true;
            }

            // A pinned server CA must be on the path (by key and name: the presented copy may differ in bytes). When
            // the certificate checked is a CA (a bundle's own server CA), it may be that CA itself; a leaf never is.
            return chain.ChainElements.Skip(IsCa(certificate) ? 0 : 1).Any(e => pinnedIntermediates.Any(p => SameKey(p, e.Certificate)));
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }
}
