using Fleet.Testing;

namespace Fleet.Hub.Tests;

public sealed class HubCommandLineTests
{
    [Theory]
    [InlineData(new[] { "--bogus", "1" }, "unknown argument '--bogus'")]
    [InlineData(new[] { "--bind", "not-an-ip" }, "--bind 'not-an-ip' is not an IP address")]
    [InlineData(new[] { "--http-port", "70000" }, "--http-port 70000 is out of range")]
    [InlineData(new[] { "--ca-cert", "/nonexistent/ca.crt" }, "--ca-cert and --ca-key go together")]
    [InlineData(new[] { "--broker", "mqtt" }, "--broker 'mqtt' is not known")]
    [InlineData(new[] { "--broker", "external", "--broker-client-cert", "/nonexistent/hub.crt" }, "--broker-client-cert and --broker-client-key go together")]
    [InlineData(new[] { "--mqtt-port", "many" }, "bad option value")]
    [InlineData(new[] { "--trusted-proxies", "127.0.0.4,proxy.example" }, "--trusted-proxies: 'proxy.example' is neither an IP address nor a network")]
    [InlineData(new[] { "--trusted-proxies", "10.0.0.0/33" }, "--trusted-proxies: '10.0.0.0/33' is neither an IP address nor a network")]
    [InlineData(new[] { "--broker", "external", "--broker-session-expiry-seconds", "-1" }, "--broker-session-expiry-seconds -1 is negative")]
    [InlineData(new[] { "--broker", "external", "--broker-receive-maximum", "0" }, "--broker-receive-maximum 0 is out of range 1-65535")]
    [InlineData(new[] { "--broker", "external", "--broker-receive-maximum", "70000" }, "--broker-receive-maximum 70000 is out of range 1-65535")]
    [InlineData(new[] { "--broker", "external", "--broker-max-queued-messages", "-5" }, "--broker-max-queued-messages -5 is negative")]
    [InlineData(new[] { "--broker", "external", "--broker-on-stop", "vanish" }, "--broker-on-stop 'vanish' is not known; give stay")]
    [InlineData(new[] { "--broker", "external", "--broker-presence-timeout-seconds", "5" }, "--broker-presence-timeout-seconds 5 is out of range")]
    public async Task Bad_options_stop_the_hub_with_one_clear_message(string[] args, string message)
    {
        using var data = new TempDir("fleet-hub-data");
        var result = await ProductProcess.RunAsync(RepoPaths.HubDll, ["--data-dir", data.Path, .. args], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError);
        Assert.False(File.Exists(Path.Combine(data.Path, "admin-token")));
    }

    [Fact]
    public async Task A_port_in_use_stops_the_hub_with_one_clear_message()
    {
        using var data = new TempDir("fleet-hub-data");
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;

        var result = await ProductProcess.RunAsync(RepoPaths.HubDll, ["--data-dir", data.Path, "--http-port", port.ToString(), "--mqtt-port", FreePort.Next().ToString()], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot start", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [Fact]
    public async Task Options_can_come_from_the_environment()
    {
        using var data = new TempDir("fleet-hub-data");
        var result = await ProductProcess.RunAsync(RepoPaths.HubDll, [],
            environment: new Dictionary<string, string?> { ["FLEET_Hub__DataDir"] = data.Path, ["FLEET_Hub__Bind"] = "nowhere" },
            timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--bind 'nowhere'", result.StandardError);
    }
}
