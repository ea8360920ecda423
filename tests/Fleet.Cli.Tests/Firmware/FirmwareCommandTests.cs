using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Firmware;

/// <summary>The README walk-through, run as real processes: key, bundle from a folder, sign, verify, tamper.</summary>
public sealed class FirmwareCommandTests
{
    private static void MakeApp(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "lib"));
        File.WriteAllText(Path.Combine(root, "Fleet.Device"), "#!/bin/sh\necho agent\n");
        var data = new byte[300_000];
        new Random(3).NextBytes(data);
        File.WriteAllBytes(Path.Combine(root, "lib", "data.bin"), data);
    }

    private static string[] CreateArgs(string output, string payload, string version = "1.4.2") =>
        ["firmware", "create", "--product", "algae-tank", "--version", version, "--platform", "rpi4", "--architecture", "arm64",
         "--payload", payload, "--output", output, "--author", "ci", "--vcs", "abc123", "--description", "first"];

    [Fact]
    public async Task Create_sign_and_verify_a_bundle_from_a_folder()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        MakeApp(dir.Combine("app"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");

        var created = await cli.RunOkAsync(dir.Path, CreateArgs("fw.fwb", "app"));
        await cli.RunOkAsync(dir.Path, "firmware", "sign", "fw.fwb", "--key", "dev");
        var verified = await cli.RunOkAsync(dir.Path, "firmware", "verify", "fw.fwb", "--public-key", Path.Combine(cli.KeysDir, "dev.pub"));

        Assert.Contains("created fw.fwb", created.StandardOutput);
        Assert.DoesNotContain("\u001b[", created.StandardOutput);
        Assert.Contains("verified fw.fwb", verified.StandardOutput);
        Assert.Contains("algae-tank 1.4.2", verified.StandardOutput);
    }

    [Fact]
    public async Task Changing_one_payload_byte_is_refused_with_the_reason_and_the_file()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        MakeApp(dir.Combine("app"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");
        await cli.RunOkAsync(dir.Path, CreateArgs("fw.fwb", "app"));
        await cli.RunOkAsync(dir.Path, "firmware", "sign", "fw.fwb", "--key", "dev");
        var bytes = File.ReadAllBytes(dir.Combine("fw.fwb"));
        bytes[200_000] ^= 0x01;
        File.WriteAllBytes(dir.Combine("fw.fwb"), bytes);

        var result = await cli.RunAsync(dir.Path, "firmware", "verify", "fw.fwb", "--public-key", "dev");

        var line = FleetCli.AssertOneLineFailure(result);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ChunkHashMismatch", line);
        Assert.Contains("fw.fwb", line);
    }

    [Fact]
    public async Task Verify_with_a_different_key_is_UnknownKey()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        MakeApp(dir.Combine("app"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");
        await cli.RunOkAsync(dir.Path, "keys", "create", "other");
        await cli.RunOkAsync(dir.Path, CreateArgs("fw.fwb", "app"));
        await cli.RunOkAsync(dir.Path, "firmware", "sign", "fw.fwb", "--key", "dev");

        var line = FleetCli.AssertOneLineFailure(await cli.RunAsync(dir.Path, "firmware", "verify", "fw.fwb", "--public-key", "other"));

        Assert.Contains("UnknownKey", line);
    }

    [Fact]
    public async Task Inspect_json_shows_the_manifest_and_signatures()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        MakeApp(dir.Combine("app"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");
        await cli.RunOkAsync(dir.Path, CreateArgs("fw.fwb", "app", "2.0.0-rc.1"));
        await cli.RunOkAsync(dir.Path, "firmware", "sign", "fw.fwb", "--key", "dev");

        var result = await cli.RunOkAsync(dir.Path, "firmware", "inspect", "fw.fwb", "--json");

        using var doc = JsonDocument.Parse(result.StandardOutput);
        var manifest = doc.RootElement.GetProperty("manifest");
        Assert.Equal("2.0.0-rc.1", manifest.GetProperty("version").GetString());
        Assert.Equal("abc123", manifest.GetProperty("vcs").GetString());
        Assert.True(Guid.TryParse(manifest.GetProperty("uuid").GetString(), out _));
        var keyId = Fleet.Protocol.Signing.SigningKey.Load(Path.Combine(cli.KeysDir, "dev.key")).KeyId;
        Assert.Equal(keyId, doc.RootElement.GetProperty("signatures")[0].GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task Openssl_accepts_the_signature_fleet_wrote()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        File.WriteAllBytes(dir.Combine("image.bin"), new byte[70_000]);
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");
        await cli.RunOkAsync(dir.Path, CreateArgs("fw.fwb", "image.bin"));
        await cli.RunOkAsync(dir.Path, "firmware", "sign", "fw.fwb", "--key", "dev");
        using (var zip = ZipFile.OpenRead(dir.Combine("fw.fwb")))
        {
            zip.GetEntry("manifest.json")!.ExtractToFile(dir.Combine("manifest.json"));
            using var sigs = JsonDocument.Parse(zip.GetEntry("manifest.sig")!.Open());
            File.WriteAllBytes(dir.Combine("sig.bin"), Convert.FromBase64String(sigs.RootElement[0].GetProperty("sig").GetString()!));
        }

        var result = await ProductProcess.RunAsync("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", Path.Combine(cli.KeysDir, "dev.pub"), "-rawin", "-in", dir.Combine("manifest.json"), "-sigfile", dir.Combine("sig.bin")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Signature Verified Successfully", result.StandardOutput);
    }

    [Fact]
    public async Task A_key_made_by_openssl_genpkey_signs_by_path()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        File.WriteAllBytes(dir.Combine("image.bin"), new byte[1000]);
        var genkey = await ProductProcess.RunAsync("openssl", ["genpkey", "-algorithm", "ed25519", "-out", dir.Combine("ossl.key")]);
        Assert.True(genkey.ExitCode == 0, genkey.ToString());
        var pubkey = await ProductProcess.RunAsync("openssl", ["pkey", "-in", dir.Combine("ossl.key"), "-pubout", "-out", dir.Combine("ossl.pub")]);
        Assert.True(pubkey.ExitCode == 0, pubkey.ToString());
        await cli.RunOkAsync(dir.Path, CreateArgs("fw.fwb", "image.bin"));

        await cli.RunOkAsync(dir.Path, "firmware", "sign", "fw.fwb", "--key", dir.Combine("ossl.key"));

        await cli.RunOkAsync(dir.Path, "firmware", "verify", "fw.fwb", "--public-key", dir.Combine("ossl.pub"));
    }

    [Theory]
    [InlineData("--version", "1.4", "--version")]
    [InlineData("--payload", "missing-dir", "--payload")]
    [InlineData("--product", "bad/name", "--product")]
    public async Task Create_with_bad_input_fails_with_one_line_and_writes_nothing(string option, string value, string mentioned)
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        MakeApp(dir.Combine("app"));
        var args = CreateArgs("fw.fwb", "app");
        args[Array.IndexOf(args, option) + 1] = value;

        var line = FleetCli.AssertOneLineFailure(await cli.RunAsync(dir.Path, args));

        Assert.Contains(mentioned, line);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Signing_with_a_missing_key_fails_with_one_line_and_leaves_the_bundle_unchanged()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        MakeApp(dir.Combine("app"));
        await cli.RunOkAsync(dir.Path, CreateArgs("fw.fwb", "app"));
        var before = File.ReadAllBytes(dir.Combine("fw.fwb"));

        var line = FleetCli.AssertOneLineFailure(await cli.RunAsync(dir.Path, "firmware", "sign", "fw.fwb", "--key", "nobody"));

        Assert.Contains("fleet keys create nobody", line);
        Assert.Equal(before, File.ReadAllBytes(dir.Combine("fw.fwb")));
    }

    [Fact]
    public async Task Signing_with_a_file_that_is_not_a_key_names_the_file()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        MakeApp(dir.Combine("app"));
        await cli.RunOkAsync(dir.Path, CreateArgs("fw.fwb", "app"));
        File.WriteAllText(dir.Combine("junk.key"), "hello");

        var line = FleetCli.AssertOneLineFailure(await cli.RunAsync(dir.Path, "firmware", "sign", "fw.fwb", "--key", dir.Combine("junk.key")));

        Assert.Contains("junk.key", line);
    }

    [Fact]
    public async Task Verifying_a_missing_file_is_bad_input_with_exit_code_1()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");

        var result = await cli.RunAsync(dir.Path, "firmware", "verify", "nothing.fwb", "--public-key", "dev");

        Assert.Contains("nothing.fwb", FleetCli.AssertOneLineFailure(result));
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Verifying_something_that_is_not_a_bundle_fails_with_one_line()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        await cli.RunOkAsync(dir.Path, "keys", "create", "dev");
        File.WriteAllText(dir.Combine("fw.fwb"), "not a zip", Encoding.UTF8);

        var line = FleetCli.AssertOneLineFailure(await cli.RunAsync(dir.Path, "firmware", "verify", "fw.fwb", "--public-key", "dev"));

        Assert.Contains("TruncatedArchive", line);
    }
}
