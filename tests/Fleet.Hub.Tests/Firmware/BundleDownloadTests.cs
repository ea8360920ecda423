using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Firmware;

/// <summary><c>GET /firmware/{uuid}/bundle</c> streams the signed bundle from the blob store: nothing is staged in the
/// data directory's tmp folder, neither while the body is on its way nor after.</summary>
public sealed class BundleDownloadTests(SqliteHub fixture) : IClassFixture<SqliteHub>
{
    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task The_bundle_is_streamed_from_the_store_without_a_temp_copy_and_verifies()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, Unique.Name("release"), key);
        var bundle = await TestBundles.CreateAsync(dir.Path, product, "2.0.0", key, payloadBytes: 8 * 1024 * 1024);
        var (uploaded, firmware) = await TestBundles.UploadAsync(Hub, bundle, product);
        Assert.True(uploaded == 201, firmware.ToString());
        var uuid = firmware.GetProperty("uuid").GetString()!;
        var tmp = Path.Combine(Hub.DataDir, "tmp");
        Assert.Empty(FilesIn(tmp));

        using var http = Hub.Admin();
        using var response = await http.GetAsync($"/api/v1/firmware/{uuid}/bundle", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {(response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync())}");
        var downloaded = Path.Combine(dir.Path, "downloaded.fwb");
        await using (var body = await response.Content.ReadAsStreamAsync())
        await using (var file = File.Create(downloaded))
        {
            // Part of the body has arrived and most of the 8 MiB payload has not: the hub holds no copy of it on disk.
            try
            {
                var first = new byte[64 * 1024];
                await body.ReadExactlyAsync(first);
                await file.WriteAsync(first);
                Assert.Empty(FilesIn(tmp));
                await body.CopyToAsync(file);
            }
            catch (IOException ex)
            {
                Assert.Fail($"the bundle download broke off: {ex.Message}\nhub log:\n{Hub.Process.StandardOutput[^Math.Min(6000, Hub.Process.StandardOutput.Length)..]}\n{Hub.Process.StandardError}");
            }
        }

        Assert.Empty(FilesIn(tmp));
        var verified = BundleVerifier.VerifyFile(downloaded, new VerificationPolicy([key.PublicKey]) { Product = product, Platform = "sim", Architecture = "x64" });
        Assert.True(verified.IsValid, verified.ToString());
        Assert.Equal(uuid, verified.Manifest.Uuid.ToString());
    }

    private static string[] FilesIn(string dir) => Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories) : [];
}
