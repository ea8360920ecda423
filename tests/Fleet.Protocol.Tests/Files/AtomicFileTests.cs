using Fleet.Protocol.Files;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Files;

public sealed class AtomicFileTests
{
    [Fact]
    public void A_private_file_is_0600_and_replaces_the_old_content_whole()
    {
        using var dir = new TempDir();
        var path = dir.Combine("state.json");
        AtomicFile.Write(path, "old"u8, AtomicFile.PrivateMode);

        AtomicFile.Write(path, "new"u8, AtomicFile.PrivateMode);

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(0b110_000_000, Posix.Mode(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Without_overwrite_an_existing_file_is_kept_and_no_temp_file_is_left()
    {
        using var dir = new TempDir();
        var path = dir.Combine("dev.key");
        AtomicFile.Write(path, "first"u8, AtomicFile.PrivateMode);

        Assert.Throws<IOException>(() => AtomicFile.Write(path, "second"u8, AtomicFile.PrivateMode, overwrite: false));

        Assert.Equal("first", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task A_writer_that_fails_leaves_the_old_file_untouched()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        AtomicFile.Write(path, "good"u8, AtomicFile.PublicMode);

        await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicFile.WriteAsync(path, async s =>
        {
            await s.WriteAsync("half"u8.ToArray());
            throw new InvalidOperationException("disk gone");
        }, AtomicFile.PublicMode));

        Assert.Equal("good", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void The_mode_is_the_callers_and_a_missing_private_folder_is_created_0700()
    {
        using var dir = new TempDir();
        var secret = dir.Combine("state", "nested", "boot.json");
        var pub = dir.Combine("pub", "root.json");

        AtomicFile.Write(secret, "{}"u8, AtomicFile.PrivateMode, createDirectory: true);
        AtomicFile.WriteText(pub, "{}", AtomicFile.PublicMode, createDirectory: true);

        Assert.Equal(0b110_000_000, Posix.Mode(secret));
        Assert.Equal(0b111_000_000, Posix.Mode(dir.Combine("state", "nested")));
        Assert.Equal(0b110_100_100, Posix.Mode(pub));
        Assert.Equal(0b111_101_101, Posix.Mode(dir.Combine("pub")));
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(dir.Combine("missing", "x"), "x"u8, AtomicFile.PrivateMode));
    }

    [Fact]
    public void The_directory_is_fsynced_after_the_rename()
    {
        using var dir = new TempDir();

        Assert.True(DirectorySync.Flush(dir.Path));
        Assert.False(DirectorySync.Flush(dir.Combine("missing")));
    }
}
