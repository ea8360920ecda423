using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Fleet.Cli.Tests.Burn;

/// <summary>What a device's card needs besides the OS: a provisioning directory (as `fleet device provision` writes
/// it, with a certificate minted here for the serial) and an agent bundle (.fwb) for a Raspberry Pi.</summary>
internal sealed class DeviceFiles
{
    private DeviceFiles(string provisioning, string bundle)
    {
        Provisioning = provisioning;
        Bundle = bundle;
    }

    public string Provisioning { get; }

    public string Bundle { get; }

    public static DeviceFiles Create(string directory, string serial, string platform = "rpi4", bool corruptPayload = false)
    {
        var provisioning = Directory.CreateDirectory(Path.Combine(directory, "provisioning-" + serial)).FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Fleet device CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var deviceRequest = new CertificateRequest("CN=" + serial, deviceKey, HashAlgorithmName.SHA256);
        using var device = deviceRequest.Create(ca, now.AddMinutes(-5), now.AddMonths(6), [1, 2, 3, 4]);

        File.WriteAllText(Path.Combine(provisioning, "ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(provisioning, "device.crt"), device.ExportCertificatePem());
        using (var key = File.Open(Path.Combine(provisioning, "device.key"), new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            key.Write(Encoding.ASCII.GetBytes(deviceKey.ExportPkcs8PrivateKeyPem()));
        }

        File.WriteAllText(Path.Combine(provisioning, "hub.json"), """{"mqtt":"mqtts://hub.example:8883","http":"https://hub.example:5443"}""");
        Directory.CreateDirectory(Path.Combine(provisioning, "trusted-keys"));
        File.WriteAllText(Path.Combine(provisioning, "trusted-keys", "release.pub"), "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAtest\n-----END PUBLIC KEY-----\n");

        var published = Directory.CreateDirectory(Path.Combine(directory, "published-" + serial)).FullName;
        File.WriteAllText(Path.Combine(published, "Fleet.Device"), "#!/bin/sh\necho agent\n");
        var tar = new MemoryStream();
        TarFile.CreateFromDirectory(published, tar, includeBaseDirectory: false);
        var payload = tar.ToArray();
        var manifest = $$$"""{"format":1,"uuid":"3f1c","product":"algae-tank","version":"1.0.0","platform":"{{{platform}}}","architecture":"arm64","payload":{"size":{{{payload.Length}}},"sha256":"{{{Convert.ToHexStringLower(SHA256.HashData(payload))}}}","chunks":[]}}""";
        if (corruptPayload)
        {
            payload[^1] ^= 0xff;
        }

        var bundle = Path.Combine(directory, serial + ".fwb");
        using (var zip = ZipFile.Open(bundle, ZipArchiveMode.Create))
        {
            Write(zip, "manifest.json", Encoding.UTF8.GetBytes(manifest));
            Write(zip, "manifest.sig", Encoding.UTF8.GetBytes("""[{"keyId":"0011223344556677","alg":"ed25519","sig":"AA=="}]"""));
            Write(zip, "payload", payload);
        }

        return new DeviceFiles(provisioning, bundle);
    }

    private static void Write(ZipArchive zip, string name, byte[] content)
    {
        using var entry = zip.CreateEntry(name).Open();
        entry.Write(content);
    }
}
