using System.Security.Cryptography;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Semver;

namespace Fleet.Bench.Load;

/// <summary>The two signed bundles of the fan-out, written once per invocation and published to each mode's hub:
/// a tiny 1.0.0 that the devices report running, and the 1.1.0 with a random payload of the asked size that the
/// rollout delivers. The signing key lives only in memory.</summary>
internal sealed class FanoutBundles : IDisposable
{
    public const string Product = "bench";
    public const string Platform = "sim";
    public const string Architecture = "x64";

    private readonly string _dir;

    private FanoutBundles(string dir, SigningKey key, string oldPath, Manifest old, string newPath, Manifest @new)
    {
        _dir = dir;
        Key = key;
        OldPath = oldPath;
        Old = old;
        NewPath = newPath;
        New = @new;
    }

    public SigningKey Key { get; }
    public string OldPath { get; }
    public Manifest Old { get; }
    public string NewPath { get; }
    public Manifest New { get; }

    public static async Task<FanoutBundles> CreateAsync(int sizeMib, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("fleet-bench-fanout-").FullName;
        var key = SigningKey.Generate();
        var (oldPath, old) = await BundleAsync(dir, key, "1.0.0", 4096, ct);
        var (newPath, @new) = await BundleAsync(dir, key, "1.1.0", (long)sizeMib << 20, ct);
        return new FanoutBundles(dir, key, oldPath, old, newPath, @new);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<(string Path, Manifest Manifest)> BundleAsync(string dir, SigningKey key, string version, long size, CancellationToken ct)
    {
        var payload = Path.Combine(dir, $"payload-{version}.bin");
        await using (var f = File.Create(payload))
        {
            var buffer = new byte[1 << 20];
            for (long left = size; left > 0; left -= buffer.Length)
            {
                var n = (int)Math.Min(left, buffer.Length);
                RandomNumberGenerator.Fill(buffer.AsSpan(0, n));
                await f.WriteAsync(buffer.AsMemory(0, n), ct);
            }
        }

        var bundle = Path.Combine(dir, $"bench-{version}.fwb");
        var spec = new BundleSpec { Product = Product, Version = SemVersion.Parse(version, SemVersionStyles.Strict), Platform = Platform, Architecture = Architecture };
        var manifest = await BundleWriter.CreateAsync(spec, payload, bundle, cancellationToken: ct);
        await BundleWriter.SignAsync(bundle, key, cancellationToken: ct);
        File.Delete(payload);
        return (bundle, manifest);
    }
}
