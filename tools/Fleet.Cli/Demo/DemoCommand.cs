using System.CommandLine;
using System.Runtime.InteropServices;

namespace Fleet.Cli.Demo;

/// <summary><c>fleet demo [--devices N]</c>: a hub, N simulated tanks and a signed rollout, live in the web UI.</summary>
internal static class DemoCommand
{
    public static Command Build()
    {
        var devices = new Option<int>("--devices") { Description = "Number of simulated tanks (1-50)", DefaultValueFactory = _ => 5 };
        var cmd = new Command("demo", "Start a hub and simulated tanks, publish v1.0.0 and v1.0.1, roll v1.0.1 out to the beta group; Ctrl+C stops everything") { devices };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var n = pr.GetValue(devices);
            if (n is < 1 or > 50)
            {
                throw new CliFailure($"--devices {n} is out of range: use 1 to 50");
            }

            // Ctrl+C arrives as the action's token; SIGTERM (systemd, a test, kill) stops the demo the same way.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                stop.Cancel();
            });
            await using var demo = new FleetDemo(n, DemoLayout.Find());
            return await demo.RunAsync(stop.Token);
        });
        return cmd;
    }
}
