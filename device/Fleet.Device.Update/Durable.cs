using System.Runtime.InteropServices;

namespace Fleet.Device.Update;

/// <summary>What makes a slot switch survive a power cut: rename(2), which replaces a symlink without following it,
/// and fsync of the directory, without which a rename is not yet on disk. File contents are
/// written with <see cref="Fleet.Protocol.Files.AtomicFile"/>.</summary>
public static partial class Durable
{
    /// <summary>Makes renames, creations and deletions inside <paramref name="dir"/> durable.</summary>
    public static void SyncDirectory(string dir) => Fleet.Protocol.Files.DirectorySync.Flush(dir);

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
}
