using System.Runtime.InteropServices;

namespace Fleet.Cli.Demo;

/// <summary>SIGINT/SIGTERM to one PID: .NET's Process.Kill only sends SIGKILL, which gives an agent no chance to switch
/// its relays off or a hub no chance to close its database.</summary>
internal static partial class PosixSignals
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static void Send(int pid, int signal) => _ = kill(pid, signal);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
