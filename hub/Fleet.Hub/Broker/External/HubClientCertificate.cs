using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fleet.Hub.Hosting;
using Fleet.Hub.Pki;
using Fleet.Hub.Storage;
using Fleet.Protocol.Files;

namespace Fleet.Hub.Broker.External;

/// <summary>The certificate a hub node presents to the external broker: given with --broker-client-cert/-key, or
/// minted once under the data dir, signed by the device CA with CN <see cref="BrokerIdentity.HubUser"/>.</summary>
internal static class HubClientCertificate
{
    public static X509Certificate2 LoadOrCreate(HubPki pki, HubOptions options, TimeProvider clock)
    {
        var certPath = options.BrokerClientCert ?? Path.Combine(options.FullDataDir, "broker-client.crt");
        var keyPath = options.BrokerClientKey ?? Path.Combine(options.FullDataDir, "broker-client.key");
        if (!File.Exists(certPath) && !File.Exists(keyPath) && options.BrokerClientCert is null)
        {
            Create(pki, certPath, keyPath, clock);
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            throw new HubStartFailure($"broker client certificate: cannot load {certPath} with key {keyPath}: {ex.Message}");
        }
    }

    private static void Create(HubPki pki, string certPath, string keyPath, TimeProvider clock)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={BrokerIdentity.HubUser}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = clock.GetUtcNow();
        var notBefore = now.AddMinutes(-5) > pki.DeviceCa.NotBefore.ToUniversalTime() ? now.AddMinutes(-5) : new DateTimeOffset(pki.DeviceCa.NotBefore.ToUniversalTime());
        var notAfter = now.AddYears(5) < pki.DeviceCa.NotAfter.ToUniversalTime() ? now.AddYears(5) : new DateTimeOffset(pki.DeviceCa.NotAfter.ToUniversalTime());
        using var cert = request.Create(pki.DeviceCa, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        AtomicFile.WriteText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", AtomicFile.PrivateMode, createDirectory: true);
        AtomicFile.WriteText(certPath, cert.ExportCertificatePem() + "\n", AtomicFile.PublicMode, createDirectory: true);
    }
}
