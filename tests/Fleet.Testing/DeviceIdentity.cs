using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Fleet.Testing;

/// <summary>A device's key pair and certificate minted in the test: the key is generated here and only the CSR
/// goes to the hub, as <c>fleet device provision</c> does.</summary>
public sealed class DeviceIdentity
{
    private DeviceIdentity(string serial, X509Certificate2 certificate)
    {
        Serial = serial;
        Certificate = certificate;
    }

    public string Serial { get; }

    /// <summary>With its private key, ready for a TLS client.</summary>
    public X509Certificate2 Certificate { get; }

    public static string NewCsr(ECDsa key, string serial) =>
        new CertificateRequest($"CN={serial}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

    public static async Task<DeviceIdentity> ProvisionAsync(RunningHub hub, string serial, string product, IEnumerable<string>? tags = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = hub.Admin();
        var response = await client.PostAsJsonAsync("/api/v1/devices", new { serial, product, tags = tags?.ToArray() ?? [], csr = NewCsr(key, serial) });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"provisioning {serial}: {(int)response.StatusCode} {body}");
        }

        var pem = JsonDocument.Parse(body).RootElement.GetProperty("certificatePem").GetString()!;
        return new DeviceIdentity(serial, WithKey(pem, key));
    }

    /// <summary>A certificate with a key, for the TLS stack (exported to PKCS#12 so SslStream can use the key on Linux).</summary>
    public static X509Certificate2 WithKey(string certificatePem, ECDsa key)
    {
        using var cert = X509Certificate2.CreateFromPem(certificatePem);
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A self-made CA and a client certificate under it: what an attacker without the hub's CA could present.</summary>
    public static X509Certificate2 FromForeignCa(string serial)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Foreign CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={serial}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), RandomNumberGenerator.GetBytes(8));
        return WithKey(cert.ExportCertificatePem(), key);
    }
}
