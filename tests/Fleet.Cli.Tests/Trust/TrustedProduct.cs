using System.Text.Json;
using Fleet.Testing;
using HubCli = Fleet.Cli.Tests.Hub.FleetCli;

namespace Fleet.Cli.Tests.Trust;

/// <summary>A real hub logged in as admin, with product <see cref="Name"/> and an offline root key <c>root1</c> in the
/// CLI's own config dir. Each test makes its own.</summary>
internal sealed class TrustedProduct(TempDir work, RunningHub hub, HubCli cli)
{
    public const string Name = "algae-tank";

    public TempDir Work { get; } = work;

    public RunningHub Hub { get; } = hub;

    public HubCli Cli { get; } = cli;

    public string ConfigDir => Work.Combine("config");

    public string TrustDir => Work.Combine("config", "trust", Name);

    public string RootKeysDir => Work.Combine("config", "root-keys");

    public static async Task<TrustedProduct> CreateAsync(TempDir work, RunningHub hub)
    {
        var cli = new HubCli(work.Combine("config"), work.Path);
        await cli.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);
        await cli.OkAsync("product", "create", Name);
        await cli.OkAsync("keys", "root", "create", "root1");
        return new TrustedProduct(work, hub, cli);
    }

    public Task<string> InitAsync(params string[] extra) =>
        Cli.OkAsync(["trust", "init", "--product", Name, "--root-key", "root1", .. extra.Contains("--expires") ? extra : [.. extra, "--expires", "365d"]]);

    /// <summary>Builds a sim bundle of <paramref name="version"/>, signs it with <paramref name="key"/> and returns its path.</summary>
    public async Task<string> BundleAsync(string version, string key)
    {
        var payload = Directory.CreateDirectory(Work.Combine($"payload-{version}-{key}")).FullName;
        await File.WriteAllTextAsync(Path.Combine(payload, "app.txt"), $"agent {version}");
        var bundle = $"app-{version}-{key}.fwb";
        await Cli.OkAsync("firmware", "create", "--product", Name, "--version", version, "--platform", "sim", "--architecture", "x64", "--payload", payload, "--output", bundle);
        await Cli.OkAsync("firmware", "sign", bundle, "--key", key);
        return bundle;
    }

    public async Task<string> PublishAsync(string version, string key)
    {
        var bundle = await BundleAsync(version, key);
        using var stored = JsonDocument.Parse(await Cli.OkAsync("firmware", "publish", bundle, "--json"));
        return stored.RootElement.GetProperty("uuid").GetString()!;
    }

    public async Task<JsonElement> HubTrustAsync()
    {
        using var client = Hub.Admin();
        using var doc = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/products/{Name}/trust"));
        return doc.RootElement.Clone();
    }

    public static string AssertRefused(ProcessResult result) => HubCli.AssertOneLineFailureOf(result);

    /// <summary>A refusal after the summary of what was about to be signed: the summary lines ("signing ..."), then
    /// exactly one "fleet: " line, last, and no stack trace.</summary>
    public static string AssertRefusedAfterSummary(ProcessResult result)
    {
        Assert.True(result.ExitCode != 0, $"expected a failure: {result}");
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("signing ", lines[0]);
        Assert.Single(lines, l => l.StartsWith("fleet: ", StringComparison.Ordinal));
        Assert.StartsWith("fleet: ", lines[^1]);
        Assert.DoesNotContain("   at ", result.StandardError);
        return lines[^1];
    }
}
