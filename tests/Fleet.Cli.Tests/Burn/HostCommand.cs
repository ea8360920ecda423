using Fleet.Testing;

namespace Fleet.Cli.Tests.Burn;

/// <summary>Runs a host tool (sfdisk, mkfs.vfat, mtools, fsck.vfat, xz, dd) and fails the test with its output when it fails.</summary>
internal static class HostCommand
{
    public static async Task<string> RunAsync(string program, params string[] args)
    {
        var result = await ProductProcess.RunAsync(program, args,
            environment: new Dictionary<string, string?> { ["MTOOLS_SKIP_CHECK"] = "1", ["LC_ALL"] = "C" });
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', args)} failed: {result}");
        return result.StandardOutput;
    }

    public static Task<ProcessResult> TryAsync(string program, params string[] args) =>
        ProductProcess.RunAsync(program, args,
            environment: new Dictionary<string, string?> { ["MTOOLS_SKIP_CHECK"] = "1", ["LC_ALL"] = "C" });
}
