using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary>A private key that other users can read is refused before it is used, for signing keys and root keys alike.</summary>
public sealed class PrivateKeyModeTests
{
    [Theory]
    [InlineData(0b110_100_100)]
    [InlineData(0b110_100_000)]
    [InlineData(0b110_000_010)]
    public async Task A_group_or_world_accessible_signing_key_is_refused_with_chmod_600_advice(int mode)
    {
        using var work = new TempDir("fleet-key-mode");
        var cli = new FleetCli(work.Combine("config"));
        await cli.RunOkAsync(work.Path, "keys", "create", "release");
        Directory.CreateDirectory(work.Combine("payload"));
        await File.WriteAllTextAsync(work.Combine("payload", "app.txt"), "agent");
        await cli.RunOkAsync(work.Path, "firmware", "create", "--product", "algae-tank", "--version", "1.0.0", "--platform", "sim", "--architecture", "x64", "--payload", "payload", "--output", "app.fwb");
        var key = Path.Combine(cli.KeysDir, "release.key");
        File.SetUnixFileMode(key, (UnixFileMode)mode);
        var bundle = await File.ReadAllBytesAsync(work.Combine("app.fwb"));

        var refused = FleetCli.AssertOneLineFailure(await cli.RunAsync(work.Path, "firmware", "sign", "app.fwb", "--key", "release"));

        Assert.Contains($"private key {key} is accessible to other users (mode 0{Convert.ToString(mode, 8)})", refused);
        Assert.Contains($"chmod 600 {key}", refused);
        Assert.Equal(bundle, await File.ReadAllBytesAsync(work.Combine("app.fwb")));

        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await cli.RunOkAsync(work.Path, "firmware", "sign", "app.fwb", "--key", "release");
    }

    [Theory]
    [InlineData(0b111_111_101)]
    [InlineData(0b111_101_111)]
    public async Task A_key_in_a_folder_others_can_write_to_is_refused_because_they_could_replace_it(int mode)
    {
        using var work = new TempDir("fleet-key-mode");
        var cli = new FleetCli(work.Combine("config"));
        await cli.RunOkAsync(work.Path, "keys", "create", "release");
        Directory.CreateDirectory(work.Combine("payload"));
        await File.WriteAllTextAsync(work.Combine("payload", "app.txt"), "agent");
        await cli.RunOkAsync(work.Path, "firmware", "create", "--product", "algae-tank", "--version", "1.0.0", "--platform", "sim", "--architecture", "x64", "--payload", "payload", "--output", "app.fwb");
        File.SetUnixFileMode(cli.KeysDir, (UnixFileMode)mode);
        var bundle = await File.ReadAllBytesAsync(work.Combine("app.fwb"));

        var refused = FleetCli.AssertOneLineFailure(await cli.RunAsync(work.Path, "firmware", "sign", "app.fwb", "--key", "release"));

        Assert.Contains($"private key {Path.Combine(cli.KeysDir, "release.key")} is in {cli.KeysDir}, which other users can write to (mode 0{Convert.ToString(mode, 8)})", refused);
        Assert.Contains($"chmod go-w {cli.KeysDir}", refused);
        Assert.Equal(bundle, await File.ReadAllBytesAsync(work.Combine("app.fwb")));

        File.SetUnixFileMode(cli.KeysDir, (UnixFileMode)0b111_000_000);
        await cli.RunOkAsync(work.Path, "firmware", "sign", "app.fwb", "--key", "release");
    }

    [Fact]
    public async Task A_private_key_path_that_is_a_link_is_judged_by_the_file_it_opens_and_that_files_folder()
    {
        using var work = new TempDir("fleet-key-mode");
        var cli = new FleetCli(work.Combine("config"));
        await cli.RunOkAsync(work.Path, "keys", "create", "release");
        Directory.CreateDirectory(work.Combine("payload"));
        await File.WriteAllTextAsync(work.Combine("payload", "app.txt"), "agent");
        await cli.RunOkAsync(work.Path, "firmware", "create", "--product", "algae-tank", "--version", "1.0.0", "--platform", "sim", "--architecture", "x64", "--payload", "payload", "--output", "app.fwb");
        var shared = Directory.CreateDirectory(work.Combine("shared")).FullName;
        var exposed = Path.Combine(shared, "release.key");
        File.Move(Path.Combine(cli.KeysDir, "release.key"), exposed);
        File.SetUnixFileMode(exposed, (UnixFileMode)0b110_100_100);
        var link = work.Combine("release-link.key");
        File.CreateSymbolicLink(link, exposed);

        var refused = FleetCli.AssertOneLineFailure(await cli.RunAsync(work.Path, "firmware", "sign", "app.fwb", "--key", link));

        Assert.Contains($"private key {link} is accessible to other users (mode 0644)", refused);

        // Private again, but in a folder others can write to, through the link: still refused.
        File.SetUnixFileMode(exposed, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(shared, (UnixFileMode)0b111_111_111);
        var swappable = FleetCli.AssertOneLineFailure(await cli.RunAsync(work.Path, "firmware", "sign", "app.fwb", "--key", link));
        Assert.Contains($"private key {link} is in {shared}, which other users can write to (mode 0777)", swappable);

        File.SetUnixFileMode(shared, (UnixFileMode)0b111_000_000);
        await cli.RunOkAsync(work.Path, "firmware", "sign", "app.fwb", "--key", link);
    }

    [Fact]
    public async Task A_world_readable_root_key_is_refused_before_anything_is_signed_or_sent()
    {
        using var work = new TempDir("fleet-key-mode");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        var key = Path.Combine(p.RootKeysDir, "root1.key");
        File.SetUnixFileMode(key, (UnixFileMode)0b110_100_100);

        var refused = TrustedProduct.AssertRefused(await p.Cli.RunAsync("trust", "init", "--product", TrustedProduct.Name, "--root-key", "root1"));

        Assert.Contains($"private key {key} is accessible to other users (mode 0644); run 'chmod 600 {key}'", refused);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await p.HubTrustAsync()).GetProperty("rootVersion").ValueKind);
        Assert.False(Directory.Exists(p.TrustDir));

        // The same key, discovered in root-keys/ rather than named, is refused too.
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await p.InitAsync();
        await p.Cli.OkAsync("keys", "create", "release");
        File.SetUnixFileMode(key, (UnixFileMode)0b110_110_000);
        Assert.Contains("(mode 0660)", TrustedProduct.AssertRefused(await p.Cli.RunAsync("trust", "add-key", "--product", TrustedProduct.Name, "--key", "release", "--scope", "any")));
        Assert.Equal(1, (await p.HubTrustAsync()).GetProperty("targetsVersion").GetInt64());
    }
}
