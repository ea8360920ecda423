using System.Runtime.InteropServices;

namespace Fleet.Protocol.Files;

/// <summary>fsync(2) on a directory, so a rename inside it survives power loss. .NET's file APIs refuse to open
/// directories, hence libc directly. O_RDONLY|O_CLOEXEC only: O_DIRECTORY's value differs between x64 and arm.</summary>
public static partial class DirectorySync
{
    // O_RDONLY (0) | O_CLOEXEC (02000000, the same on x64, arm and arm64).
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    public static bool Flush(string directory)
    {
        var fd = Open(directory, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return Fsync(fd) == 0;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
