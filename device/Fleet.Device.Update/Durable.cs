using System.Runtime.InteropServices;

namespace Fleet.Device.Update;

/// <summary>The POSIX calls that make a switch survive a power cut: rename(2), which replaces a symlink without
/// following it, and fsync of a directory, without which a rename is not yet on disk. File contents are
/// written with <see cref="Fleet.Protocol.Files.AtomicFile"/>.</summary>
public static partial class Durable
{
    /// <summary>Makes renames, creations and deletions inside <paramref name="dir"/> durable.</summary>
    public static void SyncDirectory(string dir)
    {
        var fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return; // Not fatal: some filesystems (e.g. FAT on a boot partition) refuse to open directories.
        }

        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/>, including a symlink, without following it.</summary>
    public static void Rename(string from, string to)
    {
        if (RenameNative(from, to) != 0)
        {
            throw new IOException($"rename {from} -> {to} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameNative(string from, string to);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
