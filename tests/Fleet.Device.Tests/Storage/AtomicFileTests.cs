using Fleet.Device.Storage;
using Fleet.Testing;

namespace Fleet.Device.Tests.Storage;

public sealed class AtomicFileTests
{
    [Fact]
    public void Replaces_the_whole_file_with_owner_only_mode_and_leaves_no_temp_files()
    {
        using var dir = new TempDir();
        var path = dir.Combine("state", "tank.json");

        AtomicFile.Write(path, "old"u8);
        AtomicFile.Write(path, "new content"u8);

        Assert.Equal("new content", File.ReadAllText(path));
        Assert.Equal(Convert.ToInt32("600", 8), Posix.Mode(path));
        Assert.Single(Directory.GetFiles(dir.Combine("state")));
    }
}
