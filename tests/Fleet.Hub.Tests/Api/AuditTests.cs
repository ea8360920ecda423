using System.Net.Http.Json;
using System.Security.Cryptography;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Api;

public abstract class AuditTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : AuditTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : AuditTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Every_API_change_writes_an_audit_entry_with_its_actor()
    {
        using var dir = new TempDir();
        var managerName = Unique.Name("alice");
        var manager = await Hub.CreateUserAsync(managerName, "manage");
        var product = Unique.Name("tank");
        var key = SigningKey.Generate();
        var group = Unique.Name("grp");
        var serial = Unique.Name("dev");

        await Hub.PostOkAsync("/api/v1/products", new { name = product }, manager);
        await TestBundles.RegisterKeyAsync(Hub, product, "release", key);
        var (_, fw) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key), product, manager);
        await Hub.PostOkAsync("/api/v1/deployments", new { name = group, product, firmware = "1.0.0" }, manager);
        using (var client = Hub.Client(manager))
        {
            var patch = await client.PatchAsJsonAsync($"/api/v1/deployments/{group}", new { paused = true });
            Assert.True(patch.IsSuccessStatusCode);
        }

        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await Hub.PostOkAsync("/api/v1/devices", new { serial, product, csr = DeviceIdentity.NewCsr(deviceKey, serial) }, manager);
        await Hub.PostOkAsync($"/api/v1/devices/{serial}/revoke", new { }, manager);
        await Hub.PostOkAsync($"/api/v1/users/{managerName}/tokens", new { name = "ci" });

        var audit = (await HubApi.GetAsync(Hub, "/api/v1/audit?limit=1000")).EnumerateArray()
            .Select(e => (Actor: e.GetProperty("actor").GetString(), Action: e.GetProperty("action").GetString(), Subject: e.GetProperty("subject").GetString()))
            .ToList();
        Assert.Contains(("admin", "user.create", $"user:{managerName}"), audit);
        Assert.Contains((managerName, "product.create", $"product:{product}"), audit);
        Assert.Contains(("admin", "key.register", $"key:{product}/release"), audit);
        Assert.Contains((managerName, "firmware.publish", $"firmware:{fw.GetProperty("uuid").GetString()}"), audit);
        Assert.Contains((managerName, "deployment.create", $"deployment:{group}"), audit);
        Assert.Contains((managerName, "deployment.pause", $"deployment:{group}"), audit);
        Assert.Contains((managerName, "device.provision", $"device:{serial}"), audit);
        Assert.Contains((managerName, "device.revoke", $"device:{serial}"), audit);
        Assert.Contains(("admin", "token.create", $"user:{managerName}"), audit);
    }

    [Fact]
    public async Task A_refused_change_writes_nothing_to_the_audit_log()
    {
        var viewer = await Hub.CreateUserAsync(Unique.Name("bob"), "view");
        var product = Unique.Name("tank");
        var before = (await HubApi.GetAsync(Hub, "/api/v1/audit?limit=1000")).GetArrayLength();

        var (status, _) = await HubApi.PostAsync(Hub, "/api/v1/products", new { name = product }, viewer);

        Assert.Equal(403, status);
        var after = (await HubApi.GetAsync(Hub, $"/api/v1/audit?subject=product:{product}")).GetArrayLength();
        Assert.Equal(0, after);
        Assert.True(before > 0);
    }
}
