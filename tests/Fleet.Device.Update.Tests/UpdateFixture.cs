using System.IO.Compression;
using System.Threading.Channels;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using Semver;

namespace Fleet.Device.Update.Tests;

/// <summary>A device root with slot a installed at 1.0.0, a trusted signing key, and real signed bundles.</summary>
internal sealed class UpdateFixture : IDisposable
{
    private readonly TempDir _dir = new("fleet-update");

    public UpdateFixture()
    {
        Root = new DeviceRoot(_dir.Combine("root"));
        Directory.CreateDirectory(Root.TrustedKeysDir);
        Key = SigningKey.Generate();
        Key.PublicKey.Save(Path.Combine(Root.TrustedKeysDir, "release.pub"));
        Running = Slot.A;
    }

    public DeviceRoot Root { get; }

    public SigningKey Key { get; }

    public string Running { get; set; }

    public string Work => _dir.Path;

    public UpdateEngine Engine(string version = "1.0.0") =>
        new(Root, new UpdateIdentity("algae-tank", "sim", "x64", SemVersion.Parse(version, SemVersionStyles.Strict)), () => Running);

    /// <summary>Installs <paramref name="version"/> into slot a as the committed, running firmware.</summary>
    public async Task InstallBaseAsync(string version = "1.0.0")
    {
        var bundle = await BuildAsync(version, Key);
        var (manifest, sig, _) = Read(bundle);
        var slot = Root.SlotDir(Slot.A);
        Directory.CreateDirectory(slot);
        await File.WriteAllBytesAsync(Path.Combine(slot, "manifest.json"), manifest);
        await File.WriteAllTextAsync(Path.Combine(slot, "manifest.sig"), sig);
        var boot = new BootStore(Root);
        boot.Write(BootState.Fresh);
        boot.PointCurrentAt(Slot.A);
    }

    public async Task<string> BuildAsync(string version, SigningKey signer, string platform = "sim", int payloadKiB = 300)
    {
        var payload = Path.Combine(Work, $"payload-{version}-{platform}");
        Directory.CreateDirectory(payload);
        await File.WriteAllTextAsync(Path.Combine(payload, "Fleet.Device.dll"), $"agent {version}");
        await File.WriteAllBytesAsync(Path.Combine(payload, "blob.bin"), new byte[payloadKiB * 1024]);
        var output = Path.Combine(Work, $"tank-{version}-{platform}-{signer.KeyId}.fwb");
        await BundleWriter.CreateAsync(
            new BundleSpec { Product = "algae-tank", Version = SemVersion.Parse(version, SemVersionStyles.Strict), Platform = platform, Architecture = "x64" },
            payload, output);
        await BundleWriter.SignAsync(output, signer);
        return output;
    }

    public static (byte[] Manifest, string Signatures, byte[] Payload) Read(string bundle)
    {
        using var zip = ZipFile.OpenRead(bundle);
        static byte[] Bytes(ZipArchiveEntry e)
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }

        return (Bytes(zip.GetEntry("manifest.json")!), System.Text.Encoding.UTF8.GetString(Bytes(zip.GetEntry("manifest.sig")!)), Bytes(zip.GetEntry("payload")!));
    }

    public static UpdateOffer OfferFor(string bundle)
    {
        var (manifest, sig, _) = Read(bundle);
        return new UpdateOffer(Convert.ToBase64String(manifest), sig, 0);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Serves chunks of a bundle's payload from memory, as the hub does over fw/chunk.</summary>
    internal sealed class PayloadSource(byte[] payload, Manifest manifest) : IChunkSource
    {
        private readonly Channel<ReceivedChunk> _chunks = Channel.CreateUnbounded<ReceivedChunk>();

        public int Requested { get; private set; }

        public ChannelReader<ReceivedChunk> Chunks => _chunks.Reader;

        public Task RequestAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken)
        {
            foreach (var i in indexes)
            {
                Requested++;
                var offset = manifest.Payload.OffsetOf(i);
                _chunks.Writer.TryWrite(new ReceivedChunk(i, payload.AsMemory((int)offset, manifest.Payload.Chunks[i].Size)));
            }

            return Task.CompletedTask;
        }
    }
}
