using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Trust;

/// <summary>The hub refuses, on every path, to send firmware where the signing key's scope does not reach: the
/// product's TUF targets decide when it has them, the registered keys' group bindings otherwise.</summary>
public abstract class ScopeTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : ScopeTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : ScopeTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_push_of_a_group_bound_keys_firmware_to_a_device_outside_the_group_is_refused_naming_key_scope_and_device()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var developer = SigningKey.Generate();
        var test = Unique.Name("test");
        await TestBundles.RegisterKeyAsync(Hub, product, "developer", developer, test);
        await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "0.9.0-dev.1", developer), product);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);

        var (status, problem) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{device.Serial}/update", new { firmware = "0.9.0-dev.1" });

        Assert.Equal(403, status);
        Assert.Equal("key_not_allowed_for_device", problem.GetProperty("code").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("'developer'", detail);
        Assert.Contains($"group-{test}", detail);
        Assert.Contains(device.Serial, detail);
        var audit = await HubApi.GetAsync(Hub, "/api/v1/audit?limit=50");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "firmware.scope_refused" && e.GetProperty("details").GetString()!.Contains(device.Serial));
    }

    [Fact]
    public async Task Under_TUF_targets_a_tag_scoped_key_ships_only_to_devices_with_that_tag()
    {
        var world = await LabWorldAsync();

        var (outside, problem) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{world.Untagged.Serial}/update", new { firmware = "1.1.0" });
        var (inside, _) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{world.Lab.Serial}/update", new { firmware = "1.1.0" });

        Assert.Equal(403, outside);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("'lab-key'", detail);
        Assert.Contains($"tag-{world.Tag}", detail);
        Assert.Contains(world.Untagged.Serial, detail);
        Assert.Equal(202, inside);
    }

    [Fact]
    public async Task Creating_a_group_that_reaches_beyond_the_keys_scope_is_refused()
    {
        var world = await LabWorldAsync();
        var group = Unique.Name("everyone");

        var (status, problem) = await HubApi.PostAsync(Hub, "/api/v1/deployments", new { name = group, product = world.Product, firmware = "1.1.0" });

        Assert.Equal(403, status);
        Assert.Equal("key_not_allowed_for_group", problem.GetProperty("code").GetString());
        Assert.Contains(group, problem.GetProperty("detail").GetString());
        Assert.Contains("'lab-key'", problem.GetProperty("detail").GetString());
        var (missing, _) = await HubApi.SendAsync(Hub, HttpMethod.Get, $"/api/v1/deployments/{group}", null);
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task Widening_a_groups_tags_while_it_ships_a_scoped_keys_firmware_is_refused()
    {
        var world = await LabWorldAsync();
        var group = Unique.Name("lab");
        var (created, body) = await HubApi.PostAsync(Hub, "/api/v1/deployments", new { name = group, product = world.Product, firmware = "1.1.0", tags = new[] { world.Tag } });
        Assert.True(created == 201, body.ToString());

        var (widened, problem) = await Patch(group, new { tags = new[] { world.Tag, "field" }, tagMatch = "any" });
        var (dropped, _) = await Patch(group, new { tags = Array.Empty<string>() });

        Assert.Equal(403, widened);
        Assert.Contains("field", problem.GetProperty("detail").GetString());
        Assert.Equal(403, dropped);
        var shown = await HubApi.GetAsync(Hub, $"/api/v1/deployments/{group}");
        Assert.Equal([world.Tag], shown.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal("all", shown.GetProperty("tagMatch").GetString());
    }

    [Fact]
    public async Task Only_an_admin_may_set_the_reach_of_a_group_that_a_group_scoped_key_ships_to()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var test = Unique.Name("test");
        var other = Unique.Name("other");
        var developer = SigningKey.Generate();
        var release = SigningKey.Generate();
        var trust = await TestTrust.ForAsync(Hub, product);
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(developer, $"group:{test}"), (release, "any")]));
        await TestBundles.RegisterKeyAsync(Hub, product, "dev-key", developer);
        await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", release), product);
        await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.1.0-dev.1", developer), product);
        var manager = await Hub.CreateUserAsync(Unique.Name("manager"), "manage");

        // A manager can neither create the group the developer key is scoped to nor move it once an admin has.
        var (created, problem) = await HubApi.PostAsync(Hub, "/api/v1/deployments", new { name = test, product, firmware = "1.0.0", tags = new[] { "beta" } }, manager);
        Assert.Equal(403, created);
        Assert.Equal("group_reach_needs_admin", problem.GetProperty("code").GetString());
        Assert.Contains("'dev-key'", problem.GetProperty("detail").GetString());
        Assert.Contains(test, problem.GetProperty("detail").GetString());
        await Hub.PostOkAsync("/api/v1/deployments", new { name = test, product, firmware = "1.0.0", tags = new[] { "beta" } });
        var (retagged, _) = await HubApi.SendAsync(Hub, HttpMethod.Patch, $"/api/v1/deployments/{test}", JsonContent.Create(new { tags = Array.Empty<string>() }), manager);
        var (matched, _) = await HubApi.SendAsync(Hub, HttpMethod.Patch, $"/api/v1/deployments/{test}", JsonContent.Create(new { tags = new[] { "beta", "field" }, tagMatch = "any" }), manager);
        var (required, _) = await HubApi.SendAsync(Hub, HttpMethod.Patch, $"/api/v1/deployments/{test}", JsonContent.Create(new { versionRequirement = ">=0.1.0" }), manager);

        // The release itself is a manager's to make; so is every change of a group no scoped key names.
        var (released, body) = await HubApi.SendAsync(Hub, HttpMethod.Patch, $"/api/v1/deployments/{test}", JsonContent.Create(new { firmware = "1.1.0-dev.1" }), manager);
        var (otherGroup, otherBody) = await HubApi.PostAsync(Hub, "/api/v1/deployments", new { name = other, product, firmware = "1.0.0" }, manager);
        var (adminRetag, adminBody) = await Patch(test, new { tags = new[] { "beta", "lab" } });

        Assert.Equal(403, retagged);
        Assert.Equal(403, matched);
        Assert.Equal(403, required);
        Assert.True(released == 200, body.ToString());
        Assert.True(otherGroup == 201, otherBody.ToString());
        Assert.True(adminRetag == 200, adminBody.ToString());
        var shown = await HubApi.GetAsync(Hub, $"/api/v1/deployments/{test}");
        Assert.Equal(["beta", "lab"], shown.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        var audit = await HubApi.GetAsync(Hub, "/api/v1/audit?limit=100");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "deployment.scope_refused" && e.GetProperty("subject").GetString() == $"deployment:{test}");
    }

    [Fact]
    public async Task A_groups_release_of_a_scoped_keys_firmware_is_refused_when_the_group_is_out_of_scope()
    {
        var world = await LabWorldAsync();
        var group = Unique.Name("production");
        await Hub.PostOkAsync("/api/v1/deployments", new { name = group, product = world.Product, firmware = "1.0.0" });

        var (status, problem) = await Patch(group, new { firmware = "1.1.0" });

        Assert.Equal(403, status);
        Assert.Equal("key_not_allowed_for_group", problem.GetProperty("code").GetString());
        Assert.Contains(group, problem.GetProperty("detail").GetString());
        Assert.Equal("1.0.0", (await HubApi.GetAsync(Hub, $"/api/v1/deployments/{group}")).GetProperty("firmwareVersion").GetString());
    }

    [Fact]
    public async Task The_bundle_of_a_scoped_keys_firmware_downloads_only_for_a_device_in_scope()
    {
        var world = await LabWorldAsync();
        using var admin = Hub.Admin();

        var unnamed = await admin.GetAsync($"/api/v1/firmware/{world.Scoped}/bundle");
        var outside = await admin.GetAsync($"/api/v1/firmware/{world.Scoped}/bundle?serial={world.Untagged.Serial}");
        var inside = await admin.GetAsync($"/api/v1/firmware/{world.Scoped}/bundle?serial={world.Lab.Serial}");
        var unscoped = await admin.GetAsync($"/api/v1/firmware/{world.Release}/bundle");

        Assert.Equal(403, (int)unnamed.StatusCode);
        Assert.Equal("download_scope_required", JsonDocument.Parse(await unnamed.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Equal(403, (int)outside.StatusCode);
        Assert.Contains(world.Untagged.Serial, await outside.Content.ReadAsStringAsync());
        Assert.Equal(200, (int)inside.StatusCode);
        Assert.Equal(200, (int)unscoped.StatusCode);
    }

    [Fact]
    public async Task A_revoked_registered_key_ships_nothing_more()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var key = SigningKey.Generate();
        var name = Unique.Name("old");
        await TestBundles.RegisterKeyAsync(Hub, product, name, key);
        await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key), product);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);

        var (revoked, body) = await HubApi.SendAsync(Hub, HttpMethod.Delete, $"/api/v1/keys/{name}?product={product}", null);
        Assert.True(revoked == 200, body.ToString());
        var (pushed, problem) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{device.Serial}/update", new { firmware = "1.0.0" });
        var (uploaded, _) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.1", key), product);

        Assert.NotNull(body.GetProperty("revokedAt").GetString());
        Assert.Equal(403, pushed);
        Assert.Equal("key_not_trusted", problem.GetProperty("code").GetString());
        Assert.Equal(400, uploaded);
    }

    /// <summary>A product under TUF: key 'lab-key' scoped to one tag, 'release-key' to any device; 1.0.0 signed by
    /// the release key, 1.1.0 by the lab key; one device with the tag and one without.</summary>
    private async Task<LabWorld> LabWorldAsync()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var tag = Unique.Name("lab");
        var lab = SigningKey.Generate();
        var release = SigningKey.Generate();
        var trust = await TestTrust.ForAsync(Hub, product);
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(lab, $"tag:{tag}"), (release, "any")]));
        await TestBundles.RegisterKeyAsync(Hub, product, "lab-key", lab);
        await TestBundles.RegisterKeyAsync(Hub, product, "release-key", release);
        var (_, released) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", release), product);
        var (_, scoped) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.1.0", lab), product);
        var labDevice = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product, [tag]);
        var untagged = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        return new LabWorld(product, tag, labDevice, untagged, released.GetProperty("uuid").GetString()!, scoped.GetProperty("uuid").GetString()!);
    }

    private Task<(int Status, JsonElement Body)> Patch(string group, object body) =>
        HubApi.SendAsync(Hub, HttpMethod.Patch, $"/api/v1/deployments/{group}", JsonContent.Create(body));

    private sealed record LabWorld(string Product, string Tag, DeviceIdentity Lab, DeviceIdentity Untagged, string Release, string Scoped);
}
