namespace Fleet.Cli.Tests.Burn;

/// <summary>A loop device attached by the test to a file (needs root, as tests/run.sh runs), so a real block device
/// can be burnt without touching hardware. Dispose detaches exactly the device it attached.</summary>
internal sealed class LoopDevice : IAsyncDisposable
{
    private LoopDevice(string path) => Path = path;

    public string Path { get; }

    public static async Task<LoopDevice> AttachAsync(string backingFile)
    {
        var result = await HostCommand.TryAsync("losetup", "--find", "--show", backingFile);
        Assert.True(result.ExitCode == 0, "burning a block device is tested on a loop device; losetup failed (run the tests as root, as tests/run.sh does): " + result);
        return new LoopDevice(result.StandardOutput.Trim());
    }

    public async ValueTask DisposeAsync() => await HostCommand.TryAsync("losetup", "--detach", Path);
}
