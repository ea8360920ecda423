using Fleet.Protocol.Bundles;
using Fleet.Protocol.Packaging;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Bundles;

public sealed class PayloadFromDirectoryTests
{
    private static void MakeTree(string root, DateTime stamp)
    {
        Directory.CreateDirectory(Path.Combine(root, "lib", "nested"));
        File.WriteAllText(Path.Combine(root, "Fleet.Device"), "#!/bin/sh\necho agent\n");
        File.SetUnixFileMode(Path.Combine(root, "Fleet.Device"), (UnixFileMode)0b111_000_000);
        File.WriteAllBytes(Path.Combine(root, "lib", "nested", "data.bin"), SampleBundles.Payload(70_000));
        File.WriteAllText(Path.Combine(root, "lib", "a.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(root, "lib", "current.json"), "a.json");
        foreach (var f in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).LinkTarget is null))
        {
            File.SetLastWriteTimeUtc(f, stamp);
        }
    }

    [Fact]
    public async Task The_same_tree_packs_to_the_same_payload_whatever_the_timestamps_and_modes()
    {
        using var dir = new TempDir();
        MakeTree(dir.Combine("one"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        MakeTree(dir.Combine("two"), new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetUnixFileMode(dir.Combine("two", "Fleet.Device"), (UnixFileMode)0b111_101_101);

        var a = await BundleWriter.CreateAsync(SampleBundles.Spec(), dir.Combine("one"), dir.Combine("a.fwb"));
        var b = await BundleWriter.CreateAsync(SampleBundles.Spec(), dir.Combine("two"), dir.Combine("b.fwb"));

        Assert.Equal(a.Payload.Sha256, b.Payload.Sha256);
        Assert.Equal(a.Uuid, b.Uuid);
        Assert.Equal(File.ReadAllBytes(dir.Combine("a.fwb")), File.ReadAllBytes(dir.Combine("b.fwb")));
    }

    [Fact]
    public async Task A_directory_bundle_unpacks_to_the_same_tree_with_executable_bits()
    {
        using var dir = new TempDir();
        MakeTree(dir.Combine("app"), DateTime.UtcNow);
        var path = dir.Combine("fw.fwb");
        await BundleWriter.CreateAsync(SampleBundles.Spec(), dir.Combine("app"), path);
        await BundleWriter.SignAsync(path, SampleBundles.Key);

        var result = BundleVerifier.OpenVerified(path, SampleBundles.Trusting(SampleBundles.Key), out var bundle);
        Assert.True(result.IsValid, result.ToString());
        ExtractionResult extracted;
        using (bundle)
        using (var payload = bundle!.OpenPayload())
        {
            extracted = PayloadExtractor.Extract(payload, dir.Combine("slot"));
        }

        Assert.True(extracted.IsSuccess, extracted.ToString());
        Assert.Equal(File.ReadAllBytes(dir.Combine("app", "lib", "nested", "data.bin")), File.ReadAllBytes(dir.Combine("slot", "lib", "nested", "data.bin")));
        Assert.Equal(0b111_101_101, Posix.Mode(dir.Combine("slot", "Fleet.Device")));
        Assert.Equal(0b110_100_100, Posix.Mode(dir.Combine("slot", "lib", "a.json")));
        Assert.Equal("a.json", new FileInfo(dir.Combine("slot", "lib", "current.json")).LinkTarget);
    }
}
