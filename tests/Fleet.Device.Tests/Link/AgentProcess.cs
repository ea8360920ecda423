using Fleet.Testing;

namespace Fleet.Device.Tests.Link;

/// <summary>The real agent (<c>Fleet.Device --simulate --root TEMP</c>) with a profile that batches every second and
/// reconnects quickly, so link tests take seconds.</summary>
internal static class AgentProcess
{
    public const string FastProfile = """
        {
          "telemetry": { "batchSeconds": 1 },
          "link": { "reconnectMinMs": 200, "reconnectMaxMs": 1000, "statusIntervalSeconds": 5, "keepAliveSeconds": 5 }
        }
        """;

    public static void Prepare(string root)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "agent.json"), FastProfile);
    }

    public static ProductProcess Start(string root, IDictionary<string, string?>? environment = null) =>
        ProductProcess.Start(RepoPaths.DeviceDll, ["--simulate", "--root", root], environment: environment);

    public static IReadOnlyList<long> SpooledSequences(string root) =>
        Directory.Exists(Path.Combine(root, "spool"))
            ? Directory.EnumerateFiles(Path.Combine(root, "spool"), "0*.json")
                .Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))
                .Order()
                .ToList()
            : [];
}
