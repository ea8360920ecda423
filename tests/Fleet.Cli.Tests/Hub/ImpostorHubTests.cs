using Fleet.Testing;

namespace Fleet.Cli.Tests.Hub;

/// <summary>A device certificate (serial <c>localhost</c>) presented as the hub: the CLI refuses the handshake and
/// its token never leaves; the same probe with a real server certificate receives the request, so the probe works.</summary>
public sealed class ImpostorHubTests : IDisposable
{
    private readonly TempDir _dir = new("fleet-impostor");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_token_goes_only_to_a_certificate_made_for_a_server(bool realServer)
    {
        var ca = TestPki.Ca();
        var certificate = realServer
            ? TestPki.Leaf(ca, "hub", TestPki.ServerAuth, "localhost")
            : TestPki.Leaf(ca, "localhost", TestPki.ClientAuth);
        var caPath = _dir.Combine("ca.crt");
        await File.WriteAllTextAsync(caPath, ca.ExportCertificatePem());
        await using var impostor = new TlsProbeServer(certificate);

        var result = await ProductProcess.RunAsync(RepoPaths.CliDll, ["product", "list"], _dir.Path,
            new Dictionary<string, string?>
            {
                ["FLEET_CONFIG_DIR"] = _dir.Combine("config"),
                ["FLEET_HUB"] = $"https://localhost:{impostor.Port}",
                ["FLEET_TOKEN"] = "fleet_secret-token",
                ["FLEET_CA_CERT"] = caPath,
            },
            TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, result.ExitCode);
        if (realServer)
        {
            Assert.Contains("Bearer fleet_secret-token", impostor.Received, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("fleet_secret-token", impostor.Received, StringComparison.Ordinal);
            Assert.DoesNotContain("Authorization", impostor.Received, StringComparison.OrdinalIgnoreCase);
        }
    }
}
