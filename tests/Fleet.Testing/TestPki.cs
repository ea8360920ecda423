using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.Testing;

/// <summary>Throwaway certificates for TLS tests: a CA, and leaves with chosen extended key usages and names.</summary>
public static class TestPki
{
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    public static X509Certificate2 Ca(string name = "Test CA", bool limitPath = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, limitPath, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A leaf signed by <paramref name="ca"/> with the private key attached (exportable, for SslStream).</summary>
    public static X509Certificate2 Leaf(X509Certificate2 ca, string commonName, string? usage, params string[] subjectAltNames) =>
        Issue(ca, commonName, usage, isCa: false, subjectAltNames);

    /// <summary>A CA certificate that also carries serverAuth and subjectAltNames: what must never pass as a TLS server.</summary>
    public static X509Certificate2 CaWithServerAuth(X509Certificate2 ca, string commonName, params string[] subjectAltNames) =>
        Issue(ca, commonName, ServerAuth, isCa: true, subjectAltNames);

    private static X509Certificate2 Issue(X509Certificate2 ca, string commonName, string? usage, bool isCa, string[] subjectAltNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, isCa, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | (isCa ? X509KeyUsageFlags.KeyCertSign : 0), true));
        if (usage is not null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        }

        if (subjectAltNames.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var n in subjectAltNames)
            {
                if (IPAddress.TryParse(n, out var ip))
                {
                    names.AddIpAddress(ip);
                }
                else
                {
                    names.AddDnsName(n);
                }
            }

            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var caFrom = new DateTimeOffset(ca.NotBefore.ToUniversalTime());
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5) > caFrom ? DateTimeOffset.UtcNow.AddMinutes(-5) : caFrom;
        using var cert = request.Create(ca, notBefore, Within(ca, DateTimeOffset.UtcNow.AddDays(30)), RandomNumberGenerator.GetBytes(16));
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A CA certificate for <paramref name="subjectCa"/>'s name and key issued by <paramref name="issuer"/>
    /// (a cross-certificate, or with <paramref name="key"/> null a new sub-CA with its own key and name).</summary>
    public static X509Certificate2 IssueCa(X509Certificate2 issuer, X509Certificate2? subjectCa, string name = "Sub CA", DateTimeOffset? notAfter = null)
    {
        using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = subjectCa is null
            ? new CertificateRequest($"CN={name}", fresh, HashAlgorithmName.SHA256)
            : new CertificateRequest(subjectCa.SubjectName, subjectCa.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var caFrom = new DateTimeOffset(issuer.NotBefore.ToUniversalTime());
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5) > caFrom ? DateTimeOffset.UtcNow.AddMinutes(-5) : caFrom;
        using var cert = request.Create(issuer, notBefore, Within(issuer, notAfter ?? DateTimeOffset.UtcNow.AddDays(30)), RandomNumberGenerator.GetBytes(16));
        if (subjectCa is not null)
        {
            return X509CertificateLoader.LoadCertificate(cert.RawData);
        }

        using var withKey = cert.CopyWithPrivateKey(fresh);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A certificate can outlive neither its issuer nor the issuer's own validity.</summary>
    private static DateTimeOffset Within(X509Certificate2 issuer, DateTimeOffset notAfter)
    {
        var until = new DateTimeOffset(issuer.NotAfter.ToUniversalTime());
        return notAfter < until ? notAfter : until;
    }
}
