using Fleet.Testing;

namespace Fleet.Cli.Tests.Hub;

/// <summary><c>fleet deployment create|update --soak --window --quarantine-after</c> and <c>fleet firmware quarantine</c>
/// against a real hub: stored and shown by <c>deployment show</c>, removed with <c>off</c>, and a bad value gets one
/// clear message and a non-zero exit.</summary>
public sealed class DeploymentRolloutOptionsTests
{
    [Fact]
    public async Task Soak_window_and_quarantine_threshold_are_stored_shown_removed_and_bad_values_refused_with_one_message()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);
        await cli.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);
        await cli.OkAsync("keys", "create", "release");
        await cli.OkAsync("product", "create", "algae-tank");
        await cli.OkAsync("keys", "register", "release", "--product", "algae-tank");
        Directory.CreateDirectory(work.Combine("payload"));
        await File.WriteAllTextAsync(work.Combine("payload", "app.txt"), "agent");
        await cli.OkAsync("firmware", "create", "--product", "algae-tank", "--version", "1.0.0", "--platform", "sim", "--architecture", "x64", "--payload", "payload", "--output", "app.fwb");
        await cli.OkAsync("firmware", "sign", "app.fwb", "--key", "release");
        await cli.OkAsync("firmware", "publish", "app.fwb");

        await cli.OkAsync("deployment", "create", "night", "--product", "algae-tank", "--firmware", "1.0.0",
            "--soak", "30m", "--window", "02:00-05:00 Europe/Berlin", "--quarantine-after", "3");
        var shown = await cli.OkAsync("deployment", "show", "night");
        Assert.Contains("soak:                30m", shown);
        Assert.Contains("window:              02:00-05:00 Europe/Berlin", shown);
        Assert.Contains("window now:          02:00-05:00 Europe/Berlin: ", shown);
        Assert.Contains("quarantine after:    3 devices", shown);

        foreach (var (option, value, message) in new[]
                 {
                     ("--window", "02:00-05:00 Mars/Olympus", "'Mars/Olympus' is not an IANA time zone"),
                     ("--window", "25:00-05:00 UTC", "is not HH:MM-HH:MM ZONE"),
                     ("--window", "02:00-05:00", "is not HH:MM-HH:MM ZONE"),
                     ("--soak", "5x", "--soak '5x' is not a duration"),
                 })
        {
            var refused = await cli.RunAsync("deployment", "update", "night", option, value);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Single(refused.StandardError.Trim().Split('\n'));
            Assert.Contains(message, refused.StandardError);
        }

        Assert.Contains("02:00-05:00 Europe/Berlin", await cli.OkAsync("deployment", "show", "night"));
        await cli.OkAsync("deployment", "update", "night", "--window", "off", "--soak", "off");
        var cleared = await cli.OkAsync("deployment", "show", "night");
        Assert.Contains("window:              any time", cleared);
        Assert.Contains("soak:                off", cleared);
        Assert.DoesNotContain("window now:", cleared);

        Assert.Contains("no release is quarantined", await cli.OkAsync("firmware", "quarantine", "list"));
        var notHeld = await cli.RunAsync("firmware", "quarantine", "clear", "1.0.0");
        Assert.NotEqual(0, notHeld.ExitCode);
        Assert.Contains("is not quarantined", notHeld.StandardError);
    }
}
