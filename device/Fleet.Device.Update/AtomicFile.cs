using System.Runtime.InteropServices;

namespace Fleet.Device.Update;

/// <summary>Replaces a file so that after a power cut it holds either the old or the new bytes, never a mix:
/// write a temp file beside it, fsync it, rename over the target, fsync the directory (the rename itself
/// is only durable once the directory entry is on disk).</summary>
public static partial class AtomicFile
{
    private const UnixFileMode DefaultMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void Write(string path, ReadOnlySpan<byte> bytes, UnixFileMode mode = DefaultMode)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }

        SyncDirectory(dir);
    }

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
