using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;

namespace Fleet.Hub.Pki;

/// <summary>The hub's certificates: the device CA that signs device certificates at provisioning, the server
/// certificate for HTTPS and MQTT, and the trust anchor handed to devices and CLI users as <c>ca.crt</c>.
/// Generated under the data dir on first start (ECDSA P-256) unless given through options.</summary>
internal sealed class HubPki
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    private HubPki(X509Certificate2 deviceCa, X509Certificate2 trustAnchor, X509Certificate2 server)
    {
        DeviceCa = deviceCa;
        TrustAnchor = trustAnchor;
        ServerCertificate = server;
    }

    public X509Certificate2 DeviceCa { get; }
    public X509Certificate2 TrustAnchor { get; }
    public X509Certificate2 ServerCertificate { get; }

    public string TrustAnchorPem => TrustAnchor.ExportCertificatePem() + "\n";

    public static HubPki LoadOrCreate(HubOptions options, TimeProvider clock)
    {
        var data = options.FullDataDir;
        X509Certificate2 deviceCa;
        if (options.CaCert is not null && options.CaKey is not null)
        {
            deviceCa = LoadWithKey(options.CaCert, options.CaKey, "--ca-cert/--ca-key");
        }
        else
        {
            var certPath = Path.Combine(data, "ca.crt");
            var keyPath = Path.Combine(data, "ca.key");
            deviceCa = File.Exists(certPath) || File.Exists(keyPath)
                ? LoadWithKey(certPath, keyPath, "the data dir's device CA")
                : CreateDeviceCa(certPath, keyPath, clock);
        }

        if (deviceCa.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            throw new HubStartFailure($"the device CA certificate '{deviceCa.Subject}' is not a CA (basicConstraints CA:TRUE missing)");
        }

        var anchor = deviceCa;
        if (options.RootCert is not null)
        {
            anchor = X509CertificateLoader.LoadCertificateFromFile(options.RootCert);
            if (!ChainsTo(deviceCa, anchor, deviceCa, null))
            {
                throw new HubStartFailure($"--root-cert {options.RootCert} did not sign the device CA '{deviceCa.Subject}'");
            }
        }

        X509Certificate2 server;
        if (options.ServerCert is not null && options.ServerKey is not null)
        {
            server = LoadWithKey(options.ServerCert, options.ServerKey, "--server-cert/--server-key");
        }
        else
        {
            var certPath = Path.Combine(data, "server.crt");
            var keyPath = Path.Combine(data, "server.key");
            server = File.Exists(certPath) || File.Exists(keyPath)
                ? LoadWithKey(certPath, keyPath, "the data dir's server certificate")
                : CreateServerCertificate(deviceCa, options, certPath, keyPath, clock);
        }

        return new HubPki(deviceCa, anchor, server);
    }

    /// <summary>Fail closed: the certificate must chain through the device CA to the trust anchor, be valid now,
    /// and be meant for client authentication. A server or foreign certificate is not a device.</summary>
    public bool IsDeviceCertificate(X509Certificate2 certificate) =>
        ChainsTo(certificate, TrustAnchor, DeviceCa, ClientAuth);

    /// <summary>Signs a device's CSR. The CSR's own signature proves the requester holds the private key.</summary>
    public Outcome<X509Certificate2> SignDevice(string csrPem, string serial, TimeProvider clock)
    {
        CertificateRequest csr;
        try
        {
            csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (CryptographicException ex)
        {
            return new Failure(FailureKind.Invalid, "invalid_csr", $"the certificate signing request is not valid PEM PKCS#10 with a good signature ({ex.Message}); let 'fleet device provision' create it");
        }

        var cn = csr.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(r => r.GetSingleElementType().Value == "2.5.4.3")
            .Select(r => r.GetSingleElementValue())
            .FirstOrDefault();
        if (cn != serial)
        {
            return new Failure(FailureKind.Invalid, "csr_subject_mismatch", $"the CSR's subject CN '{cn}' differs from the serial '{serial}'; the CN must be the serial");
        }

        if (csr.PublicKey.Oid.Value != "1.2.840.10045.2.1")
        {
            return new Failure(FailureKind.Invalid, "unsupported_key", "the CSR's key is not ECDSA; devices use ECDSA P-256 keys");
        }

        // Built, not parsed from a string, and read back: a serial can never smuggle extra RDNs or lose characters
        // on the way into the subject (X.500 trims whitespace, so "tank-0001\n" would read as "tank-0001").
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(serial);
        var name = subject.Build();
        if (name.GetSingleCommonName() != serial)
        {
            return new Failure(FailureKind.Invalid, "invalid_serial", $"the serial '{serial}' does not survive as a certificate subject; use letters, digits, '.', '_' or '-'");
        }

        var request = new CertificateRequest(name, csr.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuth], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(DeviceCa, true, false));
        // A few minutes of back-dating absorb device clock skew, but never before the CA itself (a freshly made CA).
        var now = clock.GetUtcNow();
        var caFrom = new DateTimeOffset(DeviceCa.NotBefore.ToUniversalTime());
        var caUntil = new DateTimeOffset(DeviceCa.NotAfter.ToUniversalTime());
        var notBefore = now.AddMinutes(-5) > caFrom ? now.AddMinutes(-5) : caFrom;
        var notAfter = now.AddYears(10) < caUntil ? now.AddYears(10) : caUntil;
        return request.Create(DeviceCa, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 anchor, X509Certificate2 issuer, Oid? purpose)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.ExtraStore.Add(issuer);
        // Revocation is the device registry's job (revoked flag, checked at every CONNECT), not CRLs.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (purpose is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        }

        try
        {
            if (!chain.Build(certificate))
            {
                return false;
            }

            if (ReferenceEquals(certificate, issuer) || certificate.Thumbprint == issuer.Thumbprint)
            {
                return true;
            }

            return chain.ChainElements.Count >= 2 && chain.ChainElements[1].Certificate.Thumbprint == issuer.Thumbprint;
        }
        finally
        {
            // The chain hands out a new certificate object per element and never frees them; at a connect storm's
            // rate, leaving them to the finalizer cost the hub about a third of its managed CPU (docs/bench.md).
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    private static X509Certificate2 LoadWithKey(string certPath, string keyPath, string what)
    {
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            throw new HubStartFailure($"{what}: need both {certPath} and {keyPath}; one is missing");
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (CryptographicException ex)
        {
            throw new HubStartFailure($"{what}: cannot load {certPath} with key {keyPath}: {ex.Message}");
        }
    }

    private static X509Certificate2 CreateDeviceCa(string certPath, string keyPath, TimeProvider clock)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Fleet Device CA ({Environment.MachineName})", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = clock.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(20));
        PrivateFile.WriteAtomic(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", PrivateFile.Secret);
        PrivateFile.WriteAtomic(certPath, cert.ExportCertificatePem() + "\n", PrivateFile.Public);
        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }

    private static X509Certificate2 CreateServerCertificate(X509Certificate2 ca, HubOptions options, string certPath, string keyPath, TimeProvider clock)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        foreach (var extra in (options.ServerNames ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPAddress.TryParse(extra, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(extra);
            }
        }

        if (!options.BindAddress.Equals(IPAddress.Any) && !options.BindAddress.Equals(IPAddress.Loopback))
        {
            names.AddIpAddress(options.BindAddress);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = clock.GetUtcNow();
        var caFrom = new DateTimeOffset(ca.NotBefore.ToUniversalTime());
        var caUntil = new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        using var cert = request.Create(ca, now.AddMinutes(-5) > caFrom ? now.AddMinutes(-5) : caFrom, now.AddYears(5) < caUntil ? now.AddYears(5) : caUntil, RandomNumberGenerator.GetBytes(16));
        PrivateFile.WriteAtomic(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", PrivateFile.Secret);
        PrivateFile.WriteAtomic(certPath, cert.ExportCertificatePem() + "\n", PrivateFile.Public);
        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }
}
