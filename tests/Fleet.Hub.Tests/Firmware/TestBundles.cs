using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using Semver;

namespace Fleet.Hub.Tests.Firmware;

/// <summary>Real signed bundles made with the protocol library, and the ways to spoil them.</summary>
internal static class TestBundles
{
    public static async Task<string> CreateAsync(string dir, string product, string version, SigningKey? key, int payloadBytes = 100_000)
    {
        var payload = Path.Combine(dir, $"payload-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(payload, RandomNumberGenerator.GetBytes(payloadBytes));
        var bundle = Path.Combine(dir, $"{product}-{version}-{Guid.NewGuid():N}.fwb");
        await BundleWriter.CreateAsync(new BundleSpec { Product = product, Version = SemVersion.Parse(version), Platform = "sim", Architecture = "x64" }, payload, bundle);
        if (key is not null)
        {
            await BundleWriter.SignAsync(bundle, key);
        }

        return bundle;
    }

    /// <summary>Changes one entry after signing, as an attacker editing a bundle would.</summary>
    public static Task TamperAsync(string bundle, string entryName, Func<byte[], byte[]> change)
    {
        using var zip = ZipFile.Open(bundle, ZipArchiveMode.Update);
        var entry = zip.GetEntry(entryName)!;
        byte[] bytes;
        using (var s = entry.Open())
        using (var copy = new MemoryStream())
        {
            s.CopyTo(copy);
            bytes = copy.ToArray();
        }

        entry.Delete();
        var changed = zip.CreateEntry(entryName, CompressionLevel.NoCompression);
        using var w = changed.Open();
        w.Write(change(bytes));
        return Task.CompletedTask;
    }

    /// <summary>Still valid JSON, but no longer the bytes that were signed.</summary>
    public static Task TamperManifestAsync(string bundle) =>
        TamperAsync(bundle, BundleEntries.Manifest, b => [.. b, (byte)' ']);

    public static Task TamperPayloadAsync(string bundle) =>
        TamperAsync(bundle, BundleEntries.Payload, b =>
        {
            b[b.Length / 2] ^= 0xFF;
            return b;
        });

    public static async Task<(int Status, JsonElement Body)> UploadAsync(RunningHub hub, string bundle, string product, string? token = null)
    {
        var content = new ByteArrayContent(await File.ReadAllBytesAsync(bundle));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await HubApi.SendAsync(hub, HttpMethod.Post, $"/api/v1/firmware?product={product}", content, token);
    }

    public static async Task RegisterKeyAsync(RunningHub hub, string product, string name, SigningKey key, params string[] groups)
    {
        await hub.PostOkAsync("/api/v1/keys", new { name, product, publicKeyPem = key.PublicKey.ToPem(), groups });
    }
}
