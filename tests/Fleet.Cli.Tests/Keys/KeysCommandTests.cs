using System.Text.Json;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Keys;

public sealed class KeysCommandTests
{
    [Fact]
    public async Task Keys_create_writes_a_0600_private_key_and_a_public_key_in_the_keys_dir()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));

        var result = await cli.RunOkAsync(dir.Path, "keys", "create", "dev");

        var privatePath = Path.Combine(cli.KeysDir, "dev.key");
        Assert.Equal(0b110_000_000, Posix.Mode(privatePath));
        var key = SigningKey.Load(privatePath);
        Assert.Equal(key.PublicKey, VerifyingKey.Load(Path.Combine(cli.KeysDir, "dev.pub")));
        Assert.Contains(key.KeyId, result.StandardOutput);
    }

    [Fact]
    public async Task Keys_create_refuses_to_overwrite_without_force_and_keeps_the_old_key()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");
        var before = File.ReadAllText(Path.Combine(cli.KeysDir, "dev.key"));

        var refused = await cli.RunAsync(dir.Path, "keys", "create", "dev");
        var line = FleetCli.AssertOneLineFailure(refused);
        Assert.Contains("--force", line);
        Assert.Equal(before, File.ReadAllText(Path.Combine(cli.KeysDir, "dev.key")));

        await cli.RunOkAsync(dir.Path, "keys", "create", "dev", "--force");
        Assert.NotEqual(before, File.ReadAllText(Path.Combine(cli.KeysDir, "dev.key")));
        Assert.Equal(0b110_000_000, Posix.Mode(Path.Combine(cli.KeysDir, "dev.key")));
    }

    [Fact]
    public async Task Keys_create_with_dir_writes_there()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));

        await cli.RunOkAsync(dir.Path, "keys", "create", "ci", "--dir", dir.Combine("ci-keys"));

        Assert.True(File.Exists(dir.Combine("ci-keys", "ci.key")));
        Assert.False(Directory.Exists(cli.KeysDir));
    }

    [Fact]
    public async Task Keys_list_json_names_each_key_with_its_keyId()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "alpha");
        await cli.RunOkAsync(dir.Path, "keys", "create", "beta");

        var result = await cli.RunOkAsync(dir.Path, "keys", "list", "--json");

        using var doc = JsonDocument.Parse(result.StandardOutput);
        var rows = doc.RootElement.EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("keyId").GetString())).ToList();
        Assert.Equal(
            [("alpha", SigningKey.Load(Path.Combine(cli.KeysDir, "alpha.key")).KeyId), ("beta", SigningKey.Load(Path.Combine(cli.KeysDir, "beta.key")).KeyId)],
            rows);
    }

    [Fact]
    public async Task Keys_export_prints_the_public_PEM()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");

        var result = await cli.RunOkAsync(dir.Path, "keys", "export", "dev");

        Assert.Equal(VerifyingKey.Load(Path.Combine(cli.KeysDir, "dev.pub")), VerifyingKey.FromPem(result.StandardOutput));
        Assert.DoesNotContain("PRIVATE", result.StandardOutput);
    }

    [Fact]
    public async Task Keys_export_of_an_unknown_name_fails_with_one_line()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));

        var line = FleetCli.AssertOneLineFailure(await cli.RunAsync(dir.Path, "keys", "export", "nope"));

        Assert.Contains("nope", line);
    }
}
