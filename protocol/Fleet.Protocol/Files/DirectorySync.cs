using System.Runtime.InteropServices;

namespace Fleet.Protocol.Files;

/// <summary>fsync(2) on a directory, so a rename inside it survives power loss. .NET's file APIs refuse to open
/// directories, hence libc directly. O_RDONLY is the only flag: O_DIRECTORY differs between x64 and arm64.</summary>
internal static partial class DirectorySync
{
    public static bool Flush(string directory)
    {
        var fd = Open(directory, 0);
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
