using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary><c>fleet firmware permit-downgrade</c>: a permit signed here, checked and stored by the hub.</summary>
public sealed class PermitDowngradeTests
{
    private const string Product = TrustedProduct.Name;

    [Fact]
    public async Task A_permit_signed_by_a_trusted_key_is_posted_and_stored_and_bad_permits_are_refused()
    {
        using var work = new TempDir("fleet-permit");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        await p.Cli.OkAsync("keys", "create", "stranger");
        await p.InitAsync();
        await p.Cli.OkAsync("trust", "add-key", "--product", Product, "--key", "release", "--scope", "any");
        var old = await p.PublishAsync("1.0.0", "release");
        await p.PublishAsync("1.1.0", "release");

        var stored = await p.Cli.OkAsync("firmware", "permit-downgrade", "--firmware", old, "--replaces", "1.1.0,1.0.5", "--expires", "7d", "--key", "release");
        Assert.Contains($"downgrade permit stored: {Product} 1.0.0 ({old}) may replace 1.1.0, 1.0.5", stored);
        using var admin = hub.Admin();
        var audit = await admin.GetStringAsync($"/api/v1/audit?subject=firmware:{old}");
        Assert.Contains("firmware.permit", audit);
        Assert.Contains("replaces=1.1.0,1.0.5", audit);

        var unknownSigner = await p.Cli.RunAsync("firmware", "permit-downgrade", "--firmware", old, "--replaces", "1.1.0", "--key", "stranger");
        Assert.Contains("UnknownSigner", TrustedProduct.AssertRefused(unknownSigner));
        var notAbove = await p.Cli.RunAsync("firmware", "permit-downgrade", "--firmware", old, "--replaces", "0.9.0", "--key", "release");
        Assert.Contains("is not above 1.0.0", TrustedProduct.AssertRefused(notAbove));
        var notSemVer = await p.Cli.RunAsync("firmware", "permit-downgrade", "--firmware", old, "--replaces", "latest", "--key", "release");
        Assert.Contains("is not a SemVer 2.0 version", TrustedProduct.AssertRefused(notSemVer));
        var badExpiry = await p.Cli.RunAsync("firmware", "permit-downgrade", "--firmware", old, "--replaces", "1.1.0", "--expires", "0d", "--key", "release");
        Assert.Contains("is not a lifetime", TrustedProduct.AssertRefused(badExpiry));
        var unknownFirmware = await p.Cli.RunAsync("firmware", "permit-downgrade", "--firmware", "no-such-uuid", "--replaces", "1.1.0", "--key", "release");
        Assert.Equal(4, unknownFirmware.ExitCode);
        TrustedProduct.AssertRefused(unknownFirmware);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(await admin.GetStringAsync($"/api/v1/audit?subject=firmware:{old}"), "firmware\\.permit"));
    }
}
