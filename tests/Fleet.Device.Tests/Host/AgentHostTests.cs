using System.Net.Sockets;
using System.Text;
using Fleet.Device.Tests.Link;
using Fleet.Testing;

namespace Fleet.Device.Tests.Host;

public sealed class AgentHostTests
{
    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown argument '--bogus'")]
    [InlineData(new[] { "--root" }, "--root needs a directory")]
    public async Task Bad_arguments_exit_2_with_one_line(string[] args, string message)
    {
        var result = await ProductProcess.RunAsync(RepoPaths.DeviceDll, args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Fleet.Device: " + message, result.StandardError);
    }

    [Fact]
    public async Task Malformed_agent_json_exits_2_naming_the_file()
    {
        using var root = new TempDir();
        File.WriteAllText(root.Combine("agent.json"), "{ not json");

        var result = await ProductProcess.RunAsync(RepoPaths.DeviceDll, ["--simulate", "--root", root.Path]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(root.Combine("agent.json"), result.StandardError);
    }

    [Fact]
    public async Task Agent_tells_systemd_it_is_ready_and_pings_the_watchdog()
    {
        using var root = new TempDir("fleet-agent");
        AgentProcess.Prepare(root.Path);
        var socketPath = root.Combine("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var received = new List<string>();
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[512];
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer);
                lock (received)
                {
                    received.Add(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        });

        await using var agent = AgentProcess.Start(root.Path, new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["WATCHDOG_USEC"] = "2000000",
        });

        await Eventually.Until(() =>
        {
            lock (received)
            {
                return received.Contains("READY=1") && received.Count(m => m == "WATCHDOG=1") >= 2;
            }
        }, "READY=1 and two WATCHDOG=1 notifications");
    }

    [Fact]
    public async Task Sigint_stops_the_agent_cleanly_with_relays_off_and_state_saved()
    {
        using var root = new TempDir("fleet-agent");
        AgentProcess.Prepare(root.Path);
        await using var agent = AgentProcess.Start(root.Path);
        await Eventually.Until(() => File.Exists(root.Combine("tank.json")) && File.ReadAllText(root.Combine("tank.json")).Contains("growing"), "tank growing");

        agent.Signal(Posix.SigInt);
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, agent.ExitCode);
        Assert.Contains("growing", File.ReadAllText(root.Combine("tank.json")));
    }
}
