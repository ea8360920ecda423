using Fleet.Testing;

namespace Fleet.Cli.Tests.Hub;

/// <summary><c>fleet login</c> takes the token from a private file, from FLEET_TOKEN or from a prompt, never from argv.</summary>
public sealed class LoginTokenTests
{
    [Fact]
    public async Task The_token_from_FLEET_TOKEN_is_checked_stored_0600_and_used_by_later_commands()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);

        var login = await cli.RunWithTokenAsync(hub.AdminToken, "login", "--hub", hub.Url, "--ca-cert", hub.CaCertPath);

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains("as admin", login.StandardOutput);
        Assert.DoesNotContain(hub.AdminToken, login.StandardOutput + login.StandardError);
        Assert.Equal(0b110_000_000, Posix.Mode(work.Combine("config", "hub.json")));
        await cli.OkAsync("product", "list");
    }

    [Fact]
    public async Task A_token_file_readable_only_by_its_owner_logs_in()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);
        var file = cli.WriteTokenFile(hub.AdminToken);

        var login = await cli.OkAsync("login", "--hub", hub.Url, "--token-file", file, "--ca-cert", hub.CaCertPath);

        Assert.Contains("as admin", login);
        await cli.OkAsync("product", "list");
    }

    [Theory]
    [InlineData(0b110_100_100)]
    [InlineData(0b110_100_000)]
    [InlineData(0b110_000_100)]
    public async Task A_token_file_others_can_read_is_refused_and_nothing_is_stored(int mode)
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);
        var file = cli.WriteTokenFile(hub.AdminToken, (UnixFileMode)mode);

        var refused = FleetCli.AssertOneLineFailureOf(await cli.RunAsync("login", "--hub", hub.Url, "--token-file", file, "--ca-cert", hub.CaCertPath));

        Assert.Contains($"token file {file} is accessible to other users (mode 0{Convert.ToString(mode, 8)}); run 'chmod 600 {file}'", refused);
        Assert.False(File.Exists(work.Combine("config", "hub.json")));
    }

    [Fact]
    public async Task A_token_on_the_command_line_is_refused_with_the_ways_that_do_not_leak_it()
    {
        using var work = new TempDir();
        var cli = new FleetCli(work.Combine("config"), work.Path);

        var argv = FleetCli.AssertOneLineFailureOf(await cli.RunAsync("login", "--hub", "https://127.0.0.1:1", "--token", "fleet_secret"));
        var none = FleetCli.AssertOneLineFailureOf(await cli.RunAsync("login", "--hub", "https://127.0.0.1:1"));
        var missing = FleetCli.AssertOneLineFailureOf(await cli.RunAsync("login", "--hub", "https://127.0.0.1:1", "--token-file", work.Combine("nope")));

        Assert.Contains("--token was removed", argv);
        Assert.Contains("--token-file FILE", argv);
        Assert.Contains("FLEET_TOKEN", argv);
        Assert.DoesNotContain("fleet_secret", argv);
        Assert.Contains("no API token: pass --token-file FILE (chmod 600), set FLEET_TOKEN, or run 'fleet login' in a terminal", none);
        Assert.Contains($"token file {work.Combine("nope")} does not exist", missing);
        Assert.False(File.Exists(work.Combine("config", "hub.json")));
    }
}
