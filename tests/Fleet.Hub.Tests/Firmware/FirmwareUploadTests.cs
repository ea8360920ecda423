using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Firmware;

public abstract class FirmwareUploadTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : FirmwareUploadTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : FirmwareUploadTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_bundle_signed_by_a_registered_key_is_stored_with_its_payload_content_addressed()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, "release", key);
        var bundle = await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key);

        var (status, body) = await TestBundles.UploadAsync(Hub, bundle, product);

        Assert.Equal(201, status);
        Assert.Equal("1.0.0", body.GetProperty("version").GetString());
        Assert.Equal(key.KeyId, body.GetProperty("signedBy")[0].GetString());
        var sha = body.GetProperty("payloadSha256").GetString()!;
        Assert.True(File.Exists(Path.Combine(Hub.DataDir, "blobs", "sha256", sha[..2], sha)));
        var list = await HubApi.GetAsync(Hub, $"/api/v1/firmware?product={product}");
        Assert.Equal(body.GetProperty("uuid").GetString(), Assert.Single(list.EnumerateArray()).GetProperty("uuid").GetString());
    }

    [Fact]
    public async Task Every_registered_key_that_signed_is_recorded_so_an_unrestricted_cosigner_can_ship_anywhere()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var developer = SigningKey.Generate();
        var release = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, "developer", developer, Unique.Name("test"));
        await TestBundles.RegisterKeyAsync(Hub, product, "release", release);
        var bundle = await TestBundles.CreateAsync(dir.Path, product, "1.0.0", developer);
        await Fleet.Protocol.Bundles.BundleWriter.SignAsync(bundle, release);

        var (status, body) = await TestBundles.UploadAsync(Hub, bundle, product);

        Assert.Equal(201, status);
        Assert.Equal(new[] { developer.KeyId, release.KeyId }.Order(), body.GetProperty("signedBy").EnumerateArray().Select(k => k.GetString()!).Order());
        var (created, _) = await HubApi.PostAsync(Hub, "/api/v1/deployments", new { name = Unique.Name("production"), product, firmware = "1.0.0" });
        Assert.Equal(201, created);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "unsigned", "unsigned" },
        { "unregistered-key", "unknown_key" },
        { "tampered-manifest", "bad_signature" },
        { "tampered-payload", "chunk_hash_mismatch" },
        { "wrong-product", "product_mismatch" },
        { "duplicate-version", "duplicate_version" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_bad_upload_is_refused_with_its_reason_and_nothing_is_stored(string kind, string code)
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, "release", key);
        var good = await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key);
        var (stored, existing) = await TestBundles.UploadAsync(Hub, good, product);
        Assert.Equal(201, stored);
        var blobsBefore = Blobs();

        var bad = kind switch
        {
            "unsigned" => await TestBundles.CreateAsync(dir.Path, product, "2.0.0", key: null),
            "unregistered-key" => await TestBundles.CreateAsync(dir.Path, product, "2.0.0", SigningKey.Generate()),
            "wrong-product" => await TestBundles.CreateAsync(dir.Path, "some-other-product", "2.0.0", key),
            "duplicate-version" => await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key),
            _ => await TestBundles.CreateAsync(dir.Path, product, "2.0.0", key),
        };
        if (kind == "tampered-manifest")
        {
            await TestBundles.TamperManifestAsync(bad);
        }
        else if (kind == "tampered-payload")
        {
            await TestBundles.TamperPayloadAsync(bad);
        }

        var (status, problem) = await TestBundles.UploadAsync(Hub, bad, product);

        Assert.True(status is 400 or 409, $"status {status}");
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        var list = await HubApi.GetAsync(Hub, $"/api/v1/firmware?product={product}");
        Assert.Equal(existing.GetProperty("uuid").GetString(), Assert.Single(list.EnumerateArray()).GetProperty("uuid").GetString());
        Assert.Equal(blobsBefore, Blobs());
        var sha = existing.GetProperty("payloadSha256").GetString()!;
        Assert.True(File.Exists(Path.Combine(Hub.DataDir, "blobs", "sha256", sha[..2], sha)));
        Assert.Empty(Directory.Exists(Path.Combine(Hub.DataDir, "tmp")) ? Directory.GetFiles(Path.Combine(Hub.DataDir, "tmp")) : []);
    }

    [Fact]
    public async Task Deleting_firmware_removes_it_and_its_blob_but_not_while_a_group_uses_it()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, "release", key);
        var (_, used) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key), product);
        var (_, spare) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.1.0", key), product);
        await Hub.PostOkAsync("/api/v1/deployments", new { name = Unique.Name("grp"), product, firmware = "1.0.0" });

        var (inUse, problem) = await HubApi.SendAsync(Hub, HttpMethod.Delete, $"/api/v1/firmware/{used.GetProperty("uuid").GetString()}", null);
        Assert.Equal(409, inUse);
        Assert.Equal("firmware_in_use", problem.GetProperty("code").GetString());

        var (deleted, _) = await HubApi.SendAsync(Hub, HttpMethod.Delete, $"/api/v1/firmware/{spare.GetProperty("uuid").GetString()}", null);
        Assert.Equal(200, deleted);
        var sha = spare.GetProperty("payloadSha256").GetString()!;
        Assert.False(File.Exists(Path.Combine(Hub.DataDir, "blobs", "sha256", sha[..2], sha)));
        Assert.Single((await HubApi.GetAsync(Hub, $"/api/v1/firmware?product={product}")).EnumerateArray());
    }

    private string[] Blobs()
    {
        var root = Path.Combine(Hub.DataDir, "blobs");
        return Directory.Exists(root) ? [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order()] : [];
    }
}
