using System.Text;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Signing;

/// <summary>Our keys and signatures against the real openssl binary, both directions.</summary>
public sealed class OpenSslInteropTests
{
    [Fact]
    public async Task A_key_made_by_openssl_genpkey_loads_and_its_public_key_matches_openssls()
    {
        using var dir = new TempDir();
        var keyPath = dir.Combine("ossl.key");
        var pubPath = dir.Combine("ossl.pub");
        await OpenSsl.RunOkAsync("genpkey", "-algorithm", "ed25519", "-out", keyPath);
        await OpenSsl.RunOkAsync("pkey", "-in", keyPath, "-pubout", "-out", pubPath);

        var key = SigningKey.Load(keyPath);

        Assert.Equal(VerifyingKey.Load(pubPath), key.PublicKey);
    }

    [Fact]
    public async Task Openssl_reads_our_private_key_and_derives_the_same_public_key()
    {
        using var dir = new TempDir();
        var key = SigningKey.Generate();
        var keyPath = dir.Combine("ours.key");
        key.Save(keyPath);

        var result = await OpenSsl.RunAsync("pkey", "-in", keyPath, "-pubout");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(key.PublicKey, VerifyingKey.FromPem(result.StandardOutput));
    }

    [Fact]
    public async Task Openssl_pkeyutl_accepts_our_signature_and_rejects_it_on_changed_bytes()
    {
        using var dir = new TempDir();
        var key = SigningKey.Generate();
        key.PublicKey.Save(dir.Combine("ours.pub"));
        var message = Encoding.UTF8.GetBytes("{\"format\":1,\"product\":\"algae-tank\"}");
        File.WriteAllBytes(dir.Combine("manifest.json"), message);
        File.WriteAllBytes(dir.Combine("sig.bin"), key.Sign(message));
        File.WriteAllBytes(dir.Combine("other.json"), [.. message, (byte)' ']);

        var good = await OpenSsl.RunAsync("pkeyutl", "-verify", "-pubin", "-inkey", dir.Combine("ours.pub"), "-rawin", "-in", dir.Combine("manifest.json"), "-sigfile", dir.Combine("sig.bin"));
        var bad = await OpenSsl.RunAsync("pkeyutl", "-verify", "-pubin", "-inkey", dir.Combine("ours.pub"), "-rawin", "-in", dir.Combine("other.json"), "-sigfile", dir.Combine("sig.bin"));

        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Fact]
    public async Task We_verify_a_signature_made_by_openssl_pkeyutl()
    {
        using var dir = new TempDir();
        var keyPath = dir.Combine("ossl.key");
        await OpenSsl.RunOkAsync("genpkey", "-algorithm", "ed25519", "-out", keyPath);
        var message = "exact manifest bytes"u8.ToArray();
        File.WriteAllBytes(dir.Combine("m.json"), message);
        await OpenSsl.RunOkAsync("pkeyutl", "-sign", "-inkey", keyPath, "-rawin", "-in", dir.Combine("m.json"), "-out", dir.Combine("sig.bin"));

        var key = SigningKey.Load(keyPath).PublicKey;

        Assert.True(key.Verify(message, File.ReadAllBytes(dir.Combine("sig.bin"))));
    }
}
