using System.ComponentModel;
using System.Diagnostics;

namespace Fleet.Cli.Burn;

/// <summary>A program on the host that burning relies on (xz, mtools, stat, blockdev), run with its arguments as a
/// list (no shell), with a clear message naming the Debian package when it is not installed.</summary>
internal sealed record HostTool(string Program, string Package)
{
    public static readonly HostTool Xz = new("xz", "xz-utils");
    public static readonly HostTool Mcopy = new("mcopy", "mtools");
    public static readonly HostTool Mmd = new("mmd", "mtools");
    public static readonly HostTool Stat = new("stat", "coreutils");
    public static readonly HostTool Blockdev = new("blockdev", "util-linux");
    public static readonly HostTool Zpool = new("zpool", "zfsutils-linux");

    public ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo
        {
            FileName = Program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // mtools: no drive configuration needed, and no complaints about FAT geometry that Linux accepts.
        psi.Environment["MTOOLS_SKIP_CHECK"] = "1";
        psi.Environment["MTOOLSRC"] = "/dev/null";
        psi.Environment["LC_ALL"] = "C";
        return psi;
    }

    public Process Start(IEnumerable<string> args)
    {
        try
        {
            var process = Process.Start(StartInfo(args)) ?? throw new CliFailure($"could not start {Program}");
            process.StandardInput.Close();
            return process;
        }
        catch (Win32Exception)
        {
            throw new CliFailure($"'{Program}' is not installed; install it with 'sudo apt-get install {Package}' and run the command again");
        }
    }

    /// <summary>Runs to completion; returns the exit code and both streams.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> args, CancellationToken ct)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output, await error);
    }
}
