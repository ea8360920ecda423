using Fleet.Testing;

namespace Fleet.Protocol.Tests;

/// <summary>Runs the real <c>openssl</c> binary (installed by tests/run.sh) for interop checks.</summary>
internal static class OpenSsl
{
    public static async Task<ProcessResult> RunAsync(params string[] args)
    {
        var result = await ProductProcess.RunAsync("openssl", args, timeout: TimeSpan.FromSeconds(60));
        return result;
    }

    public static async Task RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {result}");
    }
}
