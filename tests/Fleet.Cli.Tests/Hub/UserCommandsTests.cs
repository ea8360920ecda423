using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Hub;

/// <summary><c>fleet user ...</c> against a real hub: the one account directory, managed from the CLI.</summary>
public sealed class UserCommandsTests
{
    [Fact]
    public async Task An_admin_manages_a_user_from_create_to_delete_and_each_step_takes_effect()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var admin = Cli(hub, work, hub.AdminToken);
        var passwordFile = work.Combine("dave.password");
        File.WriteAllText(passwordFile, "dave-Password-123\n");

        var created = JsonDocument.Parse(await OkAsync(admin, "user", "create", "dave", "--role", "view", "--password-file", passwordFile, "--token-name", "laptop", "--expires", "30d", "--json")).RootElement;
        Assert.True(created.GetProperty("canSignIn").GetBoolean());
        var token = created.GetProperty("token").GetString()!;
        Assert.InRange(created.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));
        var dave = Cli(hub, work, token);
        await OkAsync(dave, "device", "list");

        // The token list shows names and fingerprints, never a token.
        var tokens = await OkAsync(admin, "user", "tokens", "dave");
        Assert.Contains("laptop", tokens);
        Assert.Contains("sha256:", tokens);
        Assert.DoesNotContain(token, tokens, StringComparison.Ordinal);
        Assert.DoesNotContain(token, await OkAsync(admin, "user", "list", "--json"), StringComparison.Ordinal);

        Assert.NotEqual(0, (await dave("product", "create", "dave-tank")).ExitCode);
        await OkAsync(admin, "user", "role", "dave", "manage");
        await OkAsync(dave, "product", "create", "dave-tank");

        await OkAsync(admin, "user", "disable", "dave");
        var refused = await dave("device", "list");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("disabled", refused.StandardError);
        Assert.Contains("disabled", await OkAsync(admin, "user", "list"));
        await OkAsync(admin, "user", "enable", "dave");
        await OkAsync(dave, "device", "list");

        var generated = await OkAsync(admin, "user", "password", "dave");
        Assert.Contains("shown once", generated);

        await OkAsync(admin, "user", "delete", "dave");
        Assert.NotEqual(0, (await dave("device", "list")).ExitCode);
        Assert.DoesNotContain("dave", await OkAsync(admin, "user", "list"));
    }

    [Fact]
    public async Task A_bad_expiry_or_an_empty_password_file_is_refused_with_one_line()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var admin = Cli(hub, work, hub.AdminToken);
        var empty = work.Combine("empty");
        File.WriteAllText(empty, "\n");

        var badExpiry = await admin("user", "create", "erin", "--role", "view", "--expires", "tomorrow");
        var emptyPassword = await admin("user", "create", "erin", "--role", "view", "--password-file", empty);
        var missing = await admin("user", "password", "admin", "--password-file", work.Combine("nope"));

        Assert.Contains("expiry 'tomorrow'", FleetCli.AssertOneLineFailureOf(badExpiry));
        Assert.Contains("first line is empty", FleetCli.AssertOneLineFailureOf(emptyPassword));
        Assert.Contains("--password-file", FleetCli.AssertOneLineFailureOf(missing));
        Assert.DoesNotContain("erin", await OkAsync(admin, "user", "list"));
    }

    private delegate Task<ProcessResult> Fleet(params string[] args);

    /// <summary>The CLI with the hub and token from the environment, as CI uses it.</summary>
    private static Fleet Cli(RunningHub hub, TempDir work, string token) => args =>
        ProductProcess.RunAsync(RepoPaths.CliDll, args, work.Path, new Dictionary<string, string?>
        {
            ["FLEET_CONFIG_DIR"] = work.Combine("config-" + token[^6..]),
            ["FLEET_HUB"] = hub.Url,
            ["FLEET_TOKEN"] = token,
            ["FLEET_CA_CERT"] = hub.CaCertPath,
        }, TimeSpan.FromMinutes(2));

    private static async Task<string> OkAsync(Fleet fleet, params string[] args)
    {
        var result = await fleet(args);
        Assert.True(result.ExitCode == 0, $"fleet {string.Join(' ', args)}: {result}");
        return result.StandardOutput;
    }
}
