using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Semver;

namespace Fleet.Cli.Tests.Burn;

/// <summary>What a device's card needs besides the OS: a provisioning directory (as `fleet device provision` writes
/// it, with a certificate minted here for the serial, trusting one Ed25519 release key) and an agent bundle (.fwb) for a
/// Raspberry Pi, signed with that key by the protocol's bundle writer.</summary>
internal sealed class DeviceFiles
{
    private DeviceFiles(string provisioning, string bundle)
    {
        Provisioning = provisioning;
        Bundle = bundle;
    }

    public string Provisioning { get; }

    public string Bundle { get; }

    public static async Task<DeviceFiles> CreateAsync(string directory, string serial, string platform = "rpi4", bool corruptPayload = false, bool signedByAnotherKey = false)
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
        var release = SigningKey.Generate();
        Directory.CreateDirectory(Path.Combine(provisioning, "trusted-keys"));
        File.WriteAllText(Path.Combine(provisioning, "trusted-keys", "release.pub"), release.PublicKey.ToPem());

        var published = Directory.CreateDirectory(Path.Combine(directory, "published-" + serial)).FullName;
        File.WriteAllText(Path.Combine(published, "Fleet.Device"), "#!/bin/sh\necho agent\n");
        var bundle = Path.Combine(directory, serial + ".fwb");
        var spec = new BundleSpec { Product = "algae-tank", Version = SemVersion.Parse("1.0.0", SemVersionStyles.Strict), Platform = platform, Architecture = "arm64" };
        await BundleWriter.CreateAsync(spec, published, bundle);
        await BundleWriter.SignAsync(bundle, signedByAnotherKey ? SigningKey.Generate() : release);
        if (corruptPayload)
        {
            using var zip = ZipFile.Open(bundle, ZipArchiveMode.Update);
            var entry = zip.GetEntry("payload")!;
            var payload = new MemoryStream();
            using (var s = entry.Open())
            {
                s.CopyTo(payload);
            }

            var bytes = payload.ToArray();
            bytes[^1] ^= 0xff;
            entry.Delete();
            using var replaced = zip.CreateEntry("payload", CompressionLevel.NoCompression).Open();
            replaced.Write(bytes);
        }

        return new DeviceFiles(provisioning, bundle);
    }
}
