using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol.Files;

namespace Fleet.Hub.Pki;

/// <summary>The hub's certificates. Devices are signed by the device CA; the hub's own TLS identity is apart from
/// it: a server certificate issued by a hub CA that issues no device certificates (generated under the data dir, or
/// <c>--server-ca-cert</c> from <c>certs/make-pki.sh</c>), pinned by devices and CLI users (<see cref="HubAnchors"/>).
/// A data dir from a release where the device CA also signed the server certificate keeps presenting that legacy
/// certificate until no tank pins the old anchor (<see cref="Choose"/>); meanwhile tanks receive the new anchor with
/// its endorsement (a cross-certificate from the old anchor) over their current connection. docs/upgrade.md.</summary>
internal sealed class HubPki
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private readonly X509Certificate2? _legacyServer;
    private readonly X509Certificate2Collection _legacyAnchors;

    private HubPki(X509Certificate2 deviceCa, X509Certificate2 deviceAnchor, X509Certificate2 server, X509Certificate2Collection anchors,
        X509Certificate2? endorsement, X509Certificate2? legacyServer, X509Certificate2Collection legacyAnchors)
    {
        DeviceCa = deviceCa;
        DeviceAnchor = deviceAnchor;
        SeparateServerCertificate = server;
        HubAnchors = anchors;
        HubAnchorPem = Protocol.Tls.HubAnchors.ToPem(anchors);
        HubAnchorFingerprint = Protocol.Tls.HubAnchors.Fingerprint(anchors);
        Endorsement = endorsement;
        EndorsementPem = endorsement is null ? null : endorsement.ExportCertificatePem() + "\n";
        _legacyServer = legacyServer;
        _legacyAnchors = legacyAnchors;
        ServerCertificate = legacyServer ?? server;
    }

    public X509Certificate2 DeviceCa { get; }

    /// <summary>The self-signed root device certificates chain to (the device CA itself, or --root-cert).</summary>
    public X509Certificate2 DeviceAnchor { get; }

    /// <summary>The certificate presented for HTTPS and MQTT now: the separate one, or the legacy one while tanks
    /// still pin the old anchor.</summary>
    public X509Certificate2 ServerCertificate { get; private set; }

    public X509Certificate2 SeparateServerCertificate { get; }

    /// <summary>The hub's own anchor, which issues no device certificate: what clients should pin.</summary>
    public X509Certificate2Collection HubAnchors { get; }

    public string HubAnchorPem { get; }

    public string HubAnchorFingerprint { get; }

    /// <summary>A certificate for the hub anchor's key issued under the anchor clients pinned before (null when no
    /// client ever pinned another one).</summary>
    public X509Certificate2? Endorsement { get; }

    public string? EndorsementPem { get; }

    /// <summary>Whether the legacy server certificate (signed by the device CA or by the device CA's root) can still
    /// be presented: a data dir from an earlier release.</summary>
    public bool HasLegacyIdentity => _legacyServer is not null;

    public bool PresentsLegacyIdentity => _legacyServer is not null && ReferenceEquals(ServerCertificate, _legacyServer);

    /// <summary>What verifies the certificate presented now: the hub anchor, or the old anchor while legacy.</summary>
    public X509Certificate2Collection PresentedAnchors => PresentsLegacyIdentity ? _legacyAnchors : HubAnchors;

    /// <summary>The anchor handed to a device at provisioning and to CLI users: the one that verifies the hub now
    /// (a device provisioned while legacy migrates over the air like the others).</summary>
    public string ClientAnchorPem => Protocol.Tls.HubAnchors.ToPem(PresentedAnchors);

    /// <summary>Called once at start, after the database is ready: present the separate identity unless tanks still
    /// pin the old anchor.</summary>
    public void Choose(bool separate) => ServerCertificate = separate || _legacyServer is null ? SeparateServerCertificate : _legacyServer;

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
                : CreateCa($"CN=Fleet Device CA ({Environment.MachineName})", certPath, keyPath, clock);
        }

        if (!Protocol.Tls.HubAnchors.IsCa(deviceCa))
        {
            throw new HubStartFailure($"the device CA certificate '{deviceCa.Subject}' is not a CA (basicConstraints CA:TRUE missing)");
        }

        var deviceAnchor = deviceCa;
        if (options.RootCert is not null)
        {
            deviceAnchor = X509CertificateLoader.LoadCertificateFromFile(options.RootCert);
            if (!ChainsTo(deviceCa, deviceAnchor, deviceCa, null))
            {
                throw new HubStartFailure($"--root-cert {options.RootCert} did not sign the device CA '{deviceCa.Subject}'");
            }
        }

        return options.ServerCert is not null && options.ServerKey is not null
            ? Given(options, deviceCa, deviceAnchor)
            : Generated(options, data, deviceCa, deviceAnchor, clock);
    }

    /// <summary>--server-cert/--server-key (certs/make-pki.sh). With --server-ca-cert the server CA is the hub's
    /// anchor; server-ca-endorsement.crt beside it (its key certified by the root) is what tanks that pinned the root
    /// check before they pin it, and server-legacy.crt/.key beside --server-cert (the earlier root-signed
    /// certificate) is presented while they still pin the root. A server CA issued by the root itself is pinned
    /// with the root, the chain passing through it. Without --server-ca-cert: the earlier layout, where the root is
    /// the only anchor.</summary>
    private static HubPki Given(HubOptions options, X509Certificate2 deviceCa, X509Certificate2 deviceAnchor)
    {
        var server = LoadWithKey(options.ServerCert!, options.ServerKey!, "--server-cert/--server-key");
        if (options.ServerCaCert is null)
        {
            return new HubPki(deviceCa, deviceAnchor, server, [deviceAnchor], null, null, []);
        }

        X509Certificate2Collection given;
        try
        {
            given = Protocol.Tls.HubAnchors.Load(options.ServerCaCert);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            throw new HubStartFailure($"--server-ca-cert {options.ServerCaCert}: {ex.Message}");
        }

        var serverCa = given[0];
        if (!Protocol.Tls.HubAnchors.IsCa(serverCa))
        {
            throw new HubStartFailure($"--server-ca-cert {options.ServerCaCert}: '{serverCa.Subject}' is not a CA (basicConstraints CA:TRUE missing)");
        }

        if (Protocol.Tls.HubAnchors.SameKey(serverCa, deviceCa) || deviceCa.IssuerName.RawData.AsSpan().SequenceEqual(serverCa.SubjectName.RawData))
        {
            throw new HubStartFailure($"--server-ca-cert {options.ServerCaCert}: '{serverCa.Subject}' is the device CA or issued it; the hub's anchor must issue no device certificates (certs/make-pki.sh makes a server CA of its own)");
        }

        if (serverCa.Extensions.OfType<X509BasicConstraintsExtension>().First() is not { HasPathLengthConstraint: true, PathLengthConstraint: 0 })
        {
            throw new HubStartFailure($"--server-ca-cert {options.ServerCaCert}: '{serverCa.Subject}' has no pathLenConstraint 0; the hub's anchor must issue end-entity certificates only (tanks refuse it otherwise); certs/make-pki.sh makes one");
        }

        X509Certificate2Collection anchors;
        X509Certificate2? endorsement = null;
        if (Protocol.Tls.HubAnchors.IsSelfSigned(serverCa))
        {
            if (serverCa.Thumbprint == deviceAnchor.Thumbprint)
            {
                throw new HubStartFailure($"--server-ca-cert {options.ServerCaCert} is the root that signed the device CA; give the server CA that certs/make-pki.sh wrote (server-ca.crt)");
            }

            anchors = [serverCa];
            var endorsementPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.ServerCaCert))!, "server-ca-endorsement.crt");
            if (File.Exists(endorsementPath))
            {
                endorsement = X509CertificateLoader.LoadCertificateFromFile(endorsementPath);
                if (!Protocol.Tls.HubAnchors.SameKey(endorsement, serverCa) || !ChainsTo(endorsement, deviceAnchor, endorsement, null))
                {
                    throw new HubStartFailure($"{endorsementPath} is not '{serverCa.Subject}' certified by the root '{deviceAnchor.Subject}'; make it again with certs/make-pki.sh --add-server-ca");
                }
            }
        }
        else
        {
            if (!ChainsTo(serverCa, deviceAnchor, serverCa, null))
            {
                throw new HubStartFailure($"--server-ca-cert {options.ServerCaCert}: '{serverCa.Subject}' was not issued by the root '{deviceAnchor.Subject}'; give --root-cert with the root that issued it");
            }

            anchors = [deviceAnchor, serverCa];
            endorsement = serverCa;
        }

        if (!Protocol.Tls.HubAnchors.Chains(server, anchors, [], ServerAuth.Value))
        {
            throw new HubStartFailure($"--server-cert {options.ServerCert} does not chain to --server-ca-cert {options.ServerCaCert} with serverAuth");
        }

        // Tanks provisioned before pinned the root alone; the root-signed server certificate they accept is kept
        // (server-legacy.crt next to --server-cert) only if the operator kept it.
        X509Certificate2? legacy = null;
        var legacyCert = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.ServerCert!))!, "server-legacy.crt");
        var legacyKey = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.ServerCert!))!, "server-legacy.key");
        if (File.Exists(legacyCert) && File.Exists(legacyKey))
        {
            legacy = LoadWithKey(legacyCert, legacyKey, "the legacy server certificate");
        }

        return new HubPki(deviceCa, deviceAnchor, server, anchors, endorsement, legacy, [deviceAnchor]);
    }

    /// <summary>Generated under the data dir: hub-ca.crt/key (self-signed, issues only server certificates) and
    /// server.crt/key signed by it. A data dir whose server.crt the device CA signed (an earlier release) keeps it as
    /// server-legacy.crt, presented while tanks still pin the device CA, and gets hub-ca-endorsement.crt: the hub
    /// CA's key certified by the device CA, which is what tanks verify before they pin the hub CA.</summary>
    private static HubPki Generated(HubOptions options, string data, X509Certificate2 deviceCa, X509Certificate2 deviceAnchor, TimeProvider clock)
    {
        var hubCaCert = Path.Combine(data, "hub-ca.crt");
        var hubCaKey = Path.Combine(data, "hub-ca.key");
        var serverCert = Path.Combine(data, "server.crt");
        var serverKey = Path.Combine(data, "server.key");
        var legacyCert = Path.Combine(data, "server-legacy.crt");
        var legacyKey = Path.Combine(data, "server-legacy.key");
        var endorsementPath = Path.Combine(data, "hub-ca-endorsement.crt");

        var hubCa = File.Exists(hubCaCert) || File.Exists(hubCaKey)
            ? LoadWithKey(hubCaCert, hubCaKey, "the data dir's hub CA")
            : CreateCa($"CN=Fleet Hub CA ({Environment.MachineName})", hubCaCert, hubCaKey, clock);
        if (Protocol.Tls.HubAnchors.SameKey(hubCa, deviceCa))
        {
            throw new HubStartFailure($"{hubCaCert} has the device CA's key; the hub's anchor must be apart from the devices'");
        }

        if (File.Exists(serverCert) && File.Exists(serverKey) && !File.Exists(legacyCert))
        {
            var existing = LoadWithKey(serverCert, serverKey, "the data dir's server certificate");
            if (!ChainsTo(existing, hubCa, hubCa, ServerAuth))
            {
                // The earlier release's layout: keep its certificate for the tanks that pin the device CA.
                File.Copy(serverKey, legacyKey + ".tmp", overwrite: true);
                File.SetUnixFileMode(legacyKey + ".tmp", AtomicFile.PrivateMode);
                File.Move(legacyKey + ".tmp", legacyKey, overwrite: true);
                AtomicFile.WriteText(legacyCert, existing.ExportCertificatePem() + "\n", AtomicFile.PublicMode, createDirectory: true);
                File.Delete(serverCert);
            }
        }

        X509Certificate2 server;
        if (File.Exists(serverCert) && File.Exists(serverKey))
        {
            server = LoadWithKey(serverCert, serverKey, "the data dir's server certificate");
        }
        else
        {
            server = CreateServerCertificate(hubCa, options, serverCert, serverKey, clock);
        }

        X509Certificate2? legacy = null;
        X509Certificate2? endorsement = null;
        if (File.Exists(legacyCert) && File.Exists(legacyKey))
        {
            legacy = LoadWithKey(legacyCert, legacyKey, "the legacy server certificate");
            if (!File.Exists(endorsementPath))
            {
                AtomicFile.WriteText(endorsementPath, CreateEndorsement(hubCa, deviceCa, clock).ExportCertificatePem() + "\n", AtomicFile.PublicMode, createDirectory: true);
            }

            endorsement = X509CertificateLoader.LoadCertificateFromFile(endorsementPath);
        }

        return new HubPki(deviceCa, deviceAnchor, server, [CertificateOnly(hubCa)], endorsement, legacy, [CertificateOnly(deviceAnchor)]);
    }

    private static X509Certificate2 CertificateOnly(X509Certificate2 c) => X509CertificateLoader.LoadCertificate(c.RawData);

    /// <summary>The hub CA's subject and key, certified by the device CA: not a path any server certificate uses
    /// (the device CA has pathlen 0), only a statement the tanks check that the anchor they trust vouches for the
    /// new one.</summary>
    private static X509Certificate2 CreateEndorsement(X509Certificate2 hubCa, X509Certificate2 deviceCa, TimeProvider clock)
    {
        var request = new CertificateRequest(hubCa.SubjectName, hubCa.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(deviceCa, true, false));
        var now = clock.GetUtcNow();
        var caUntil = new DateTimeOffset(deviceCa.NotAfter.ToUniversalTime());
        var caFrom = new DateTimeOffset(deviceCa.NotBefore.ToUniversalTime());
        return request.Create(deviceCa, now.AddMinutes(-5) > caFrom ? now.AddMinutes(-5) : caFrom, now.AddYears(2) < caUntil ? now.AddYears(2) : caUntil, RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>Fail closed: the certificate must chain through the device CA to the trust anchor, be valid now,
    /// and be meant for client authentication. A server or foreign certificate is not a device.</summary>
    public bool IsDeviceCertificate(X509Certificate2 certificate) =>
        ChainsTo(certificate, DeviceAnchor, DeviceCa, ClientAuth);

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

    private static X509Certificate2 CreateCa(string subject, string certPath, string keyPath, TimeProvider clock)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = clock.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(20));
        AtomicFile.WriteText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", AtomicFile.PrivateMode, createDirectory: true);
        AtomicFile.WriteText(certPath, cert.ExportCertificatePem() + "\n", AtomicFile.PublicMode, createDirectory: true);
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
        AtomicFile.WriteText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", AtomicFile.PrivateMode, createDirectory: true);
        AtomicFile.WriteText(certPath, cert.ExportCertificatePem() + "\n", AtomicFile.PublicMode, createDirectory: true);
        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }
}
