using System.Runtime.InteropServices;

namespace Fleet.Testing;

public static partial class Posix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>The file's permission bits, e.g. 0600 for a private key.</summary>
    public static int Mode(string path) => (int)File.GetUnixFileMode(path);
}
