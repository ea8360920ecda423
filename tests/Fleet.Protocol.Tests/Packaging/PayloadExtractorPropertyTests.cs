using System.Formats.Tar;
using CsCheck;
using Fleet.Protocol.Packaging;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Packaging;

/// <summary>Random corruption of a payload tar never crashes the extractor and never writes outside the destination.</summary>
public sealed class PayloadExtractorPropertyTests
{
    private static byte[] SampleTar()
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Gnu, leaveOpen: true))
        {
            writer.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "lib/"));
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "lib/a.bin") { DataStream = new MemoryStream(new byte[3000]) });
            writer.WriteEntry(new GnuTarEntry(TarEntryType.SymbolicLink, "lib/b.bin") { LinkName = "a.bin" });
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "Fleet.Device") { DataStream = new MemoryStream("#!/bin/sh\n"u8.ToArray()) });
        }

        return stream.ToArray();
    }

    [Fact]
    public void Flipped_bytes_give_a_named_result_and_nothing_outside_the_destination()
    {
        var tar = SampleTar();
        var flips = Gen.Select(Gen.Int[0, tar.Length - 1], Gen.Byte).Array[1, 4];
        flips.Sample(changes =>
        {
            var corrupted = tar.ToArray();
            foreach (var (at, value) in changes)
            {
                corrupted[at] = value;
            }

            using var dir = new TempDir();
            var result = PayloadExtractor.Extract(new MemoryStream(corrupted), dir.Combine("slot"));

            Assert.True(Enum.IsDefined(result.Failure));
            Assert.Equal(["slot"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        }, iter: 400, threads: 1);
    }
}
