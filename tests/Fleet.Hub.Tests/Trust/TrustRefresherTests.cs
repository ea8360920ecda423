using Fleet.Hub.Audit;
using Fleet.Hub.Firmware;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Hub.Tests.Trust;

/// <summary>The Firmware context's trust store in-process on SQLite, with a clock the test moves: the hub re-signs
/// snapshot and timestamp once they are a day old, and not before.</summary>
public sealed class TrustRefresherTests
{
    [Fact]
    public async Task The_timestamp_is_re_signed_by_the_online_key_once_a_day_and_not_before()
    {
        using var data = new TempDir("fleet-trust");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddHubDatabase($"Data Source={Path.Combine(data.Path, "fleet.db")}");
        services.AddSingleton<AuditLog>();
        services.AddSingleton(new BlobStore(data.Combine("blobs")));
        services.AddFirmwareStore(data.Path);
        await using var provider = services.BuildServiceProvider();
        var dbs = provider.GetRequiredService<IDbContextFactory<HubDb>>();
        await using (var db = await dbs.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            db.Products.Add(new Product { Name = "tank", CreatedAt = clock.GetUtcNow() });
            await db.SaveChangesAsync();
        }

        var store = provider.GetRequiredService<TrustStore>();
        var online = provider.GetRequiredService<OnlineKey>().PublicKey;
        var rootKey = SigningKey.Generate();
        var own = new RoleSpec([rootKey.PublicKey], 1);
        var hub = new RoleSpec([online], 1);
        var root = SignedEnvelope.Sign(TrustDocuments.Root("tank", 1, clock.GetUtcNow().AddDays(365), own, own, hub, hub), [rootKey]);
        var targets = SignedEnvelope.Sign(TrustDocuments.Targets(1, clock.GetUtcNow().AddDays(90), [new DelegationSpec(TrustScope.AnyDevice, [SigningKey.Generate().PublicKey])]), [rootKey]);
        Assert.True((await store.PutRootAsync(Actor.Hub, "tank", root, default)).Ok);
        Assert.True((await store.PutTargetsAsync(Actor.Hub, "tank", targets, default)).Ok);
        var refresher = provider.GetRequiredService<TrustRefresher>();
        var query = provider.GetRequiredService<TrustQuery>();
        var first = await TimestampAsync(query);

        clock.Advance(TimeSpan.FromHours(12));
        await refresher.RefreshAsync(default);
        Assert.Equal(first.Version, (await TimestampAsync(query)).Version);

        clock.Advance(TimeSpan.FromHours(13));
        await refresher.RefreshAsync(default);
        var next = await TimestampAsync(query);

        Assert.Equal(first.Version + 1, next.Version);
        Assert.Equal((clock.GetUtcNow() + TrustSigner.Lifetime).ToUnixTimeSeconds(), next.Expires.ToUnixTimeSeconds());
        var trustedRoot = TrustVerifier.VerifyInitialRoot(root).Value!;
        Assert.True(next.Envelope.MeetsThreshold(trustedRoot.Role(TufRoles.Timestamp), trustedRoot.Keys));
        Assert.True(File.Exists(Path.Combine(data.Path, OnlineKey.FileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data.Path, OnlineKey.FileName)));
    }

    private static async Task<(long Version, DateTimeOffset Expires, SignedEnvelope Envelope)> TimestampAsync(TrustQuery query)
    {
        var file = await query.FileAsync("tank", "timestamp.json", default);
        Assert.True(file.Ok);
        var envelope = SignedEnvelope.Parse(file.Value, "timestamp.json");
        var expires = DateTimeOffset.Parse(envelope.Signed["expires"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        return (envelope.Signed["version"]!.GetValue<long>(), expires, envelope);
    }
}
