using System.Formats.Tar;
using Fleet.Protocol.Packaging;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Packaging;

/// <summary>The device unpacks a verified payload into its inactive slot; nothing may land outside it.</summary>
public sealed class PayloadExtractorTests
{
    private static MemoryStream Tar(params TarEntry[] entries)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                writer.WriteEntry(e);
            }
        }

        stream.Position = 0;
        return stream;
    }

    private static PaxTarEntry File(string name, string content = "x")
    {
        var e = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) };
        return e;
    }

    private static PaxTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };

    private static ExtractionResult Extract(TempDir dir, params TarEntry[] entries)
    {
        using var tar = Tar(entries);
        return PayloadExtractor.Extract(tar, dir.Combine("slot"));
    }

    [Fact]
    public void Files_directories_and_inward_symlinks_unpack()
    {
        using var dir = new TempDir();

        var result = Extract(dir, new PaxTarEntry(TarEntryType.Directory, "lib/"), File("lib/a.txt", "hello"), File("./b.txt"), Link(TarEntryType.SymbolicLink, "lib/c.txt", "a.txt"));

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal("hello", System.IO.File.ReadAllText(dir.Combine("slot", "lib", "c.txt")));
        Assert.True(System.IO.File.Exists(dir.Combine("slot", "b.txt")));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("lib/../../escape.txt")]
    [InlineData("/etc/escape.txt")]
    public void Names_that_climb_out_or_are_absolute_are_PathTraversal(string name)
    {
        using var dir = new TempDir();

        var result = Extract(dir, File(name));

        Assert.Equal(ExtractionFailure.PathTraversal, result.Failure);
        Assert.False(System.IO.File.Exists(dir.Combine("escape.txt")));
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("../outside")]
    [InlineData("lib/../../outside")]
    public void Symlinks_pointing_outward_are_LinkEscapes(string target)
    {
        using var dir = new TempDir();

        var result = Extract(dir, Link(TarEntryType.SymbolicLink, "evil", target), File("evil/passwd"));

        Assert.Equal(ExtractionFailure.LinkEscapes, result.Failure);
    }

    [Fact]
    public void Hard_links_are_LinkEscapes()
    {
        using var dir = new TempDir();

        Assert.Equal(ExtractionFailure.LinkEscapes, Extract(dir, Link(TarEntryType.HardLink, "shadow", "/etc/shadow")).Failure);
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    [InlineData(TarEntryType.Fifo)]
    public void Device_nodes_and_fifos_are_UnsupportedEntry(TarEntryType type)
    {
        using var dir = new TempDir();

        Assert.Equal(ExtractionFailure.UnsupportedEntry, Extract(dir, new PaxTarEntry(type, "dev")).Failure);
    }

    [Fact]
    public void The_same_name_twice_is_DuplicateEntry()
    {
        using var dir = new TempDir();

        Assert.Equal(ExtractionFailure.DuplicateEntry, Extract(dir, File("a"), File("./a")).Failure);
    }

    [Fact]
    public void Files_beyond_the_size_limits_are_TooLarge_before_they_are_written()
    {
        using var dir = new TempDir();
        using var tar = Tar(File("a", new string('x', 600)), File("b", new string('x', 600)));

        var result = PayloadExtractor.Extract(tar, dir.Combine("slot"), new ExtractionLimits { MaxTotalBytes = 1000 });

        Assert.Equal(ExtractionFailure.TooLarge, result.Failure);
        Assert.False(System.IO.File.Exists(dir.Combine("slot", "b")));
    }

    [Fact]
    public void More_entries_than_allowed_is_TooManyEntries()
    {
        using var dir = new TempDir();
        using var tar = Tar(File("a"), File("b"), File("c"));

        Assert.Equal(ExtractionFailure.TooManyEntries, PayloadExtractor.Extract(tar, dir.Combine("slot"), new ExtractionLimits { MaxEntries = 2 }).Failure);
    }

    [Fact]
    public void A_destination_that_is_not_empty_is_refused()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Combine("slot"));
        System.IO.File.WriteAllText(dir.Combine("slot", "old"), "old");
        using var tar = Tar(File("a"));

        Assert.Equal(ExtractionFailure.DestinationNotEmpty, PayloadExtractor.Extract(tar, dir.Combine("slot")).Failure);
        Assert.Equal("old", System.IO.File.ReadAllText(dir.Combine("slot", "old")));
    }

    [Fact]
    public void A_truncated_tar_is_MalformedArchive()
    {
        using var dir = new TempDir();
        using var tar = Tar(File("a", new string('x', 5000)));
        using var cut = new MemoryStream(tar.ToArray()[..1000]);

        Assert.Equal(ExtractionFailure.MalformedArchive, PayloadExtractor.Extract(cut, dir.Combine("slot")).Failure);
    }

    [Fact]
    public void Setuid_bits_are_dropped()
    {
        using var dir = new TempDir();
        var entry = File("tool");
        entry.Mode = (UnixFileMode)0b100_111_101_101;

        Assert.True(Extract(dir, entry).IsSuccess);
        Assert.Equal(0b111_101_101, Posix.Mode(dir.Combine("slot", "tool")));
    }
}
