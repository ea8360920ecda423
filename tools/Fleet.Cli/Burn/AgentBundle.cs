using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Protocol.Bundles;

namespace Fleet.Cli.Burn;

/// <summary>The agent firmware bundle (.fwb) put on the card: its manifest, signatures and payload, with the payload
/// checked against the manifest's size and SHA-256 and the platform checked to be a Raspberry Pi.</summary>
internal static class AgentBundle
{
    private const long MaxManifestBytes = 1 << 20;

    /// <summary>Writes manifest.json, manifest.sig, payload.tar and payload.sha256 into <paramref name="destination"/>.</summary>
    public static async Task ExtractAsync(string bundlePath, string destination, ProvisionedTrust trust, string? product, CancellationToken ct)
    {
        ZipArchive zip;
        try
        {
            zip = await ZipArchive.CreateAsync(File.OpenRead(bundlePath), ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, ct);
        }
        catch (InvalidDataException)
        {
            throw new CliFailure($"bundle '{bundlePath}' is not a firmware bundle (not a ZIP file)");
        }

        await using (zip)
        {
            var manifestEntry = Entry(zip, "manifest.json", bundlePath);
            var signatureEntry = Entry(zip, "manifest.sig", bundlePath);
            var payloadEntry = Entry(zip, "payload", bundlePath);
            if (manifestEntry.Length > MaxManifestBytes || signatureEntry.Length > MaxManifestBytes)
            {
                throw new CliFailure($"bundle '{bundlePath}': manifest larger than {MaxManifestBytes} bytes; refusing it");
            }

            Directory.CreateDirectory(destination);
            var manifestPath = Path.Combine(destination, "manifest.json");
            await manifestEntry.ExtractToFileAsync(manifestPath, overwrite: true, ct);
            await signatureEntry.ExtractToFileAsync(Path.Combine(destination, "manifest.sig"), overwrite: true, ct);

            var (platform, size, sha256) = ReadManifest(manifestPath, bundlePath);
            if (!platform.StartsWith("rpi", StringComparison.Ordinal))
            {
                throw new CliFailure($"bundle '{bundlePath}' is for platform '{platform}', not a Raspberry Pi; build one with 'fleet firmware build --platform rpi4'");
            }

            var payloadPath = Path.Combine(destination, "payload.tar");
            string actual;
            long length;
            await using (var source = await payloadEntry.OpenAsync(ct))
            await using (var output = new FileStream(payloadPath, FileMode.Create, FileAccess.ReadWrite))
            {
                await source.CopyToAsync(output, ct);
                length = output.Length;
                output.Seek(0, SeekOrigin.Begin);
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(output, ct));
            }

            if (length != size || !string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new CliFailure($"bundle '{bundlePath}': payload does not match its manifest (size {length}, sha256 {actual}; manifest says {size}, {sha256}); the bundle is damaged");
            }

            await File.WriteAllTextAsync(Path.Combine(destination, "payload.sha256"), $"{actual}  payload.tar\n", ct);
        }

        // Fail closed on trust: only a bundle the device itself would accept goes on the card.
        var verdict = await BundleVerifier.VerifyFileAsync(bundlePath, new VerificationPolicy(trust.Keys) { Product = product }, cancellationToken: ct);
        if (!verdict.IsValid)
        {
            throw new CliFailure($"bundle '{bundlePath}' does not verify against the device's trusted keys ({verdict.Failure}: {verdict.Message}); " +
                "sign it with a key registered for the product ('fleet firmware sign', 'fleet keys register')");
        }

        if (trust.Refusal(verdict) is { } refusal)
        {
            throw new CliFailure($"bundle '{bundlePath}' is not authorized for this device by its trust metadata ({refusal}); sign it with a key whose scope covers the device ('fleet trust add-key')");
        }
    }

    private static ZipArchiveEntry Entry(ZipArchive zip, string name, string bundlePath) =>
        zip.GetEntry(name) ?? throw new CliFailure($"bundle '{bundlePath}' has no {name} entry; it is not a Fleet firmware bundle");

    private static (string Platform, long Size, string Sha256) ReadManifest(string manifestPath, string bundlePath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
            var root = doc.RootElement;
            var payload = root.GetProperty("payload");
            return (root.GetProperty("platform").GetString() ?? string.Empty,
                payload.GetProperty("size").GetInt64(),
                payload.GetProperty("sha256").GetString() ?? string.Empty);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CliFailure($"bundle '{bundlePath}': manifest.json is not a valid manifest ({ex.Message})");
        }
    }
}
