using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.Device.Tests.Link;

/// <summary>A throwaway device CA minted in the test: ECDSA P-256 CA, a hub server certificate for 127.0.0.1 and
/// localhost, and device certificates with CN = serial; writes a device's provisioning directory.</summary>
internal sealed class TestPki
{
    public TestPki(string name = "Fleet Test Device CA")
    {
        CaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={name}", CaKey, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        Ca = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Server = Issue("hub", serverAuth: true);
    }

    public ECDsa CaKey { get; }
    public X509Certificate2 Ca { get; }
    public X509Certificate2 Server { get; }

    public X509Certificate2 Issue(string cn, bool serverAuth = false)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            req.CertificateExtensions.Add(san.Build());
        }

        var serial = new byte[12];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var cert = req.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return cert.CopyWithPrivateKey(key);
    }

    /// <summary>ROOT/provisioning for <paramref name="serial"/>: device.crt, device.key (0600), ca.crt, hub.json.</summary>
    public void Provision(string root, string serial, int port, X509Certificate2? certificate = null, TestPki? trust = null)
    {
        var dir = Path.Combine(root, "provisioning");
        Directory.CreateDirectory(dir);
        var cert = certificate ?? Issue(serial);
        File.WriteAllText(Path.Combine(dir, "device.crt"), cert.ExportCertificatePem());
        using (var key = new FileStream(Path.Combine(dir, "device.key"), new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(key))
        {
            writer.Write(cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(Path.Combine(dir, "ca.crt"), (trust ?? this).Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "hub.json"), $$"""{"host":"127.0.0.1","port":{{port}}}""");
    }

    public bool Verifies(X509Certificate2 presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }
}
