using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Hub;

public sealed class HubCommandsTests
{
    [Fact]
    public async Task The_README_flow_publishes_signed_firmware_creates_a_group_and_provisions_a_device_that_mosquitto_connects_with()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);

        await cli.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);
        Assert.Equal(0b110_000_000, Posix.Mode(work.Combine("config", "hub.json")));
        await cli.OkAsync("keys", "create", "release");
        await cli.OkAsync("product", "create", "algae-tank", "--description", "Chlorella tank");
        Assert.Contains("groups: any", await cli.OkAsync("keys", "register", "release", "--product", "algae-tank"));
        Directory.CreateDirectory(work.Combine("payload"));
        await File.WriteAllTextAsync(work.Combine("payload", "app.txt"), "agent");
        await cli.OkAsync("firmware", "create", "--product", "algae-tank", "--version", "1.0.0", "--platform", "sim", "--architecture", "x64", "--payload", "payload", "--output", "app.fwb");
        await cli.OkAsync("firmware", "sign", "app.fwb", "--key", "release");
        Assert.Contains("published algae-tank 1.0.0", await cli.OkAsync("firmware", "publish", "app.fwb"));

        var again = await cli.RunAsync("firmware", "publish", "app.fwb");
        Assert.Equal(5, again.ExitCode);
        Assert.Single(again.StandardError.Trim().Split('\n'));
        Assert.Contains("duplicate_version", again.StandardError);

        var firmware = JsonDocument.Parse(await cli.OkAsync("firmware", "list", "--product", "algae-tank", "--json")).RootElement;
        Assert.Equal("1.0.0", Assert.Single(firmware.EnumerateArray()).GetProperty("version").GetString());

        await cli.OkAsync("deployment", "create", "production", "--product", "algae-tank", "--firmware", "1.0.0", "--tag", "field");
        await cli.OkAsync("deployment", "update", "production", "--pause", "--max-concurrent", "3");
        var group = JsonDocument.Parse(await cli.OkAsync("deployment", "show", "production", "--json")).RootElement;
        Assert.True(group.GetProperty("paused").GetBoolean());
        Assert.Equal(3, group.GetProperty("maxConcurrent").GetInt32());
        Assert.Equal("production", Assert.Single(JsonDocument.Parse(await cli.OkAsync("deployment", "list", "--json")).RootElement.EnumerateArray()).GetProperty("name").GetString());

        await cli.OkAsync("device", "provision", "tank-0001", "--product", "algae-tank", "--tag", "field", "--output", "dev1");
        foreach (var file in new[] { "device.crt", "device.key", "ca.crt", "hub.json", "trusted-keys/release.pub" })
        {
            Assert.True(File.Exists(work.Combine("dev1", file)), file);
        }

        Assert.Equal(0b110_000_000, Posix.Mode(work.Combine("dev1", "device.key")));
        Assert.Equal(await File.ReadAllTextAsync(work.Combine("config", "keys", "release.pub")), await File.ReadAllTextAsync(work.Combine("dev1", "trusted-keys", "release.pub")));
        var hubJson = JsonDocument.Parse(await File.ReadAllTextAsync(work.Combine("dev1", "hub.json"))).RootElement;
        Assert.Equal(hub.MqttPort, hubJson.GetProperty("port").GetInt32());
        Assert.DoesNotContain("PRIVATE KEY", (await cli.OkAsync("device", "show", "tank-0001", "--json")));

        // The exact command docs/hub.md shows.
        var mosquitto = await Mosquitto(work, hubJson, "tank-0001");
        Assert.True(mosquitto.ExitCode == 0, mosquitto.ToString());

        var devices = JsonDocument.Parse(await cli.OkAsync("device", "list", "--group", "production", "--json")).RootElement;
        Assert.Equal("tank-0001", Assert.Single(devices.EnumerateArray()).GetProperty("serial").GetString());

        await cli.OkAsync("device", "revoke", "tank-0001");
        var refused = await Mosquitto(work, hubJson, "tank-0001");
        Assert.NotEqual(0, refused.ExitCode);
    }

    [Fact]
    public async Task Refusals_are_one_line_with_a_reason_and_a_nonzero_exit()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);

        var notLoggedIn = await cli.RunAsync("device", "list");
        Assert.Equal(1, notLoggedIn.ExitCode);
        Assert.Contains("fleet login", notLoggedIn.StandardError);

        var viewer = await hub.CreateUserAsync("viewer", "view");
        await cli.LoginAsync(hub.Url, viewer, hub.CaCertPath);
        var forbidden = await cli.RunAsync("product", "create", "algae-tank");
        Assert.Equal(3, forbidden.ExitCode);
        Assert.Contains("needs role 'manage'", forbidden.StandardError);

        var offline = await cli.RunAsync("device", "show", "no-such-device");
        Assert.Equal(4, offline.ExitCode);
        Assert.Contains("no device 'no-such-device'", offline.StandardError);

        var badToken = await cli.RunLoginAsync(hub.Url, "fleet_wrong", hub.CaCertPath);
        Assert.Equal(3, badToken.ExitCode);

        foreach (var r in new[] { notLoggedIn, forbidden, offline, badToken })
        {
            Assert.Single(r.StandardError.Trim().Split('\n'));
            Assert.StartsWith("fleet: ", r.StandardError);
        }
    }

    [Fact]
    public async Task An_admin_creates_users_and_tokens_and_a_revoked_token_stops_working()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var admin = new FleetCli(work.Combine("admin"), work.Path);
        await admin.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);

        var first = JsonDocument.Parse(await admin.OkAsync("user", "create", "carol", "--role", "view", "--json")).RootElement.GetProperty("token").GetString()!;
        var ci = JsonDocument.Parse(await admin.OkAsync("user", "token", "carol", "--name", "ci", "--json")).RootElement.GetProperty("token").GetString()!;
        var carol = JsonDocument.Parse(await admin.OkAsync("user", "list", "--json")).RootElement.EnumerateArray().Single(u => u.GetProperty("name").GetString() == "carol");
        Assert.Equal(["ci", "initial"], carol.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order());

        var user = new FleetCli(work.Combine("carol"), work.Path);
        Assert.Contains("as carol (roles: view)", await user.LoginAsync(hub.Url, ci, hub.CaCertPath));
        await admin.OkAsync("user", "revoke-token", "carol", "ci");
        Assert.Equal(3, (await user.RunAsync("device", "list")).ExitCode);
        await user.LoginAsync(hub.Url, first, hub.CaCertPath);
        await user.OkAsync("device", "list");
    }

    [Fact]
    public async Task Login_refuses_a_hub_whose_certificate_does_not_chain_to_the_pinned_CA()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        await using var other = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);

        var result = await cli.RunLoginAsync(hub.Url, hub.AdminToken, other.CaCertPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the hub", result.StandardError);
        Assert.False(File.Exists(work.Combine("config", "hub.json")));
    }

    [Fact]
    public async Task Provisioning_refuses_a_folder_that_holds_a_device_and_leaves_no_key_behind_on_refusal()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);
        await cli.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);

        var unknownProduct = await cli.RunAsync("device", "provision", "tank-9", "--product", "nope", "--output", "dev");
        Assert.Equal(4, unknownProduct.ExitCode);
        // Refused before anything is written: not even the output directory.
        Assert.False(Directory.Exists(work.Combine("dev")));

        await cli.OkAsync("product", "create", "algae-tank");
        await cli.OkAsync("device", "provision", "tank-9", "--product", "algae-tank", "--output", "dev");
        var key = await File.ReadAllTextAsync(work.Combine("dev", "device.key"));
        var twice = await cli.RunAsync("device", "provision", "tank-10", "--product", "algae-tank", "--output", "dev");
        Assert.Equal(1, twice.ExitCode);
        Assert.Equal(key, await File.ReadAllTextAsync(work.Combine("dev", "device.key")));
    }

    private static Task<ProcessResult> Mosquitto(TempDir work, JsonElement hubJson, string serial) =>
        ProductProcess.RunAsync("mosquitto_pub", [
            "--cafile", "dev1/ca.crt", "--cert", "dev1/device.crt", "--key", "dev1/device.key",
            "-h", hubJson.GetProperty("host").GetString()!, "-p", hubJson.GetProperty("port").GetInt32().ToString(),
            "-i", serial, "-V", "mqttv5", "-q", "1",
            "-t", $"fleet/v1/{serial}/events", "-m", """{"kind":"tank","name":"growing","ts":"2026-01-01T00:00:00Z"}""",
        ], work.Path, timeout: TimeSpan.FromSeconds(60));
}
