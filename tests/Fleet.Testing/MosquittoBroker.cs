namespace Fleet.Testing;

/// <summary>A Mosquitto process of the test's own (never the system service), run on the configuration a hub in
/// external-broker mode generated. Its pid goes to <see cref="PidFile"/>, which the hub signals after a revocation.</summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private MosquittoBroker(ProductProcess process, string pidFile)
    {
        Process = process;
        PidFile = pidFile;
    }

    public ProductProcess Process { get; }

    public string PidFile { get; }

    /// <summary>Starts <c>mosquitto -c</c> on <paramref name="generatedConf"/>. As root, Mosquitto would drop to the
    /// mosquitto user and lose access to the 0600 server key, so the test's copy of the config keeps it root.</summary>
    public static async Task<MosquittoBroker> StartAsync(string generatedConf, string pidFile)
    {
        var conf = generatedConf;
        if (Environment.UserName == "root")
        {
            conf = Path.Combine(Path.GetDirectoryName(generatedConf)!, "test-mosquitto.conf");
            await File.WriteAllTextAsync(conf, "user root\n" + await File.ReadAllTextAsync(generatedConf));
        }

        var process = ProductProcess.Start("mosquitto", ["-c", conf, "-v"]);
        await File.WriteAllTextAsync(pidFile, process.Pid + "\n");
        try
        {
            await process.WaitForLineAsync(l => l.Contains(" running", StringComparison.Ordinal), "mosquitto to start", TimeSpan.FromSeconds(30));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return new MosquittoBroker(process, pidFile);
    }

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}
