using System.Text;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Trust;

public abstract class TrustMetadataTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : TrustMetadataTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : TrustMetadataTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_root_and_targets_are_stored_and_served_anonymously_as_a_TUF_repository_that_verifies()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var trust = await TestTrust.ForAsync(Hub, product);
        var developer = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(developer, "group:test")]));

        var view = await HubApi.GetAsync(Hub, $"/api/v1/products/{product}/trust");
        Assert.Equal(1, view.GetProperty("rootVersion").GetInt64());
        Assert.Equal(1, view.GetProperty("targetsVersion").GetInt64());

        using var anonymous = Hub.Client();
        var root = await anonymous.GetByteArrayAsync($"/tuf/{product}/root.json");
        Assert.Equal(root, await anonymous.GetByteArrayAsync($"/tuf/{product}/1.root.json"));
        var targets = await anonymous.GetByteArrayAsync($"/tuf/{product}/targets.json");
        var loaded = TrustedMetadata.Load(root, targets);
        Assert.True(loaded.IsValid, loaded.Message);
        Assert.Equal(developer.KeyId, Assert.Single(loaded.Value!.Targets.SigningKeys()).KeyId);

        // Snapshot and timestamp are signed by the key root.json names for them (the hub's online key).
        var trustedRoot = loaded.Value.Root;
        foreach (var (file, role) in new[] { ("snapshot.json", TufRoles.Snapshot), ("timestamp.json", TufRoles.Timestamp) })
        {
            var envelope = SignedEnvelope.Parse(await anonymous.GetByteArrayAsync($"/tuf/{product}/{file}"), file);
            Assert.Equal(role, envelope.Type);
            Assert.True(envelope.MeetsThreshold(trustedRoot.Role(role), trustedRoot.Keys), $"{file} is not signed by the online key");
        }

        var timestamp = SignedEnvelope.Parse(await anonymous.GetByteArrayAsync($"/tuf/{product}/timestamp.json"), "timestamp").Signed;
        var snapshot = SignedEnvelope.Parse(await anonymous.GetByteArrayAsync($"/tuf/{product}/snapshot.json"), "snapshot").Signed;
        Assert.Equal(snapshot["version"]!.GetValue<long>(), timestamp["meta"]!["snapshot.json"]!["version"]!.GetValue<long>());
        Assert.Equal(1, snapshot["meta"]!["targets.json"]!["version"]!.GetValue<long>());
        var missing = await anonymous.GetAsync($"/tuf/{product}/2.root.json");
        Assert.Equal(404, (int)missing.StatusCode);
    }

    [Fact]
    public async Task A_rotated_root_follows_the_chain_and_both_versions_are_served()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var trust = await TestTrust.ForAsync(Hub, product);
        await trust.PutOkAsync(Hub, "root", trust.Root());
        var next = SigningKey.Generate();

        // Signed by the old root key (the chain) and the new one (its own threshold).
        await trust.PutOkAsync(Hub, "root", trust.Root(2, rootKey: next, signers: [trust.RootKey, next]));

        var view = await HubApi.GetAsync(Hub, $"/api/v1/products/{product}/trust");
        Assert.Equal(2, view.GetProperty("rootVersion").GetInt64());
        Assert.Equal(2, view.GetProperty("roots").GetArrayLength());
        var audit = await HubApi.GetAsync(Hub, $"/api/v1/audit?subject=product:{product}");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "trust.root" && e.GetProperty("details").GetString()!.Contains("v1 -> v2"));
    }

    [Fact]
    public async Task After_a_root_rotates_the_targets_keys_a_lower_targets_version_from_the_new_key_is_accepted_and_the_old_key_is_not()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var trust = await TestTrust.ForAsync(Hub, product);
        var signer = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root());
        // Signed with a huge version (a compromised targets key would do this to freeze devices).
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1_000_000, [(signer, "any")]));
        var (stale, _) = await TestTrust.PutAsync(Hub, product, "targets", trust.Targets(7, [(signer, "any")]));
        Assert.Equal(409, stale);

        var next = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root(2, rootKey: next, signers: [trust.RootKey, next]));
        var (byOldKey, oldBody) = await TestTrust.PutAsync(Hub, product, "targets", trust.Targets(2_000_000, [(signer, "any")]));
        Assert.Equal(400, byOldKey);
        Assert.Equal(nameof(TrustFailure.ThresholdNotMet), oldBody.GetProperty("code").GetString());

        await trust.PutOkAsync(Hub, "targets", trust.Targets(2, [(signer, "any")], signer: next));
        Assert.Equal(2, (await HubApi.GetAsync(Hub, $"/api/v1/products/{product}/trust")).GetProperty("targetsVersion").GetInt64());
        var (older, _) = await TestTrust.PutAsync(Hub, product, "targets", trust.Targets(1, [(signer, "any")], signer: next));
        Assert.Equal(409, older);
    }

    public static TheoryData<string, string, int> Refusals => new()
    {
        { "root-wrong-product", nameof(TrustFailure.WrongProduct), 400 },
        { "root-bad-signature", nameof(TrustFailure.ThresholdNotMet), 400 },
        { "root-snapshot-not-online-key", "OnlineKeyMismatch", 400 },
        { "root-not-chaining", nameof(TrustFailure.ThresholdNotMet), 400 },
        { "root-skips-a-version", nameof(TrustFailure.VersionRollback), 409 },
        { "root-malformed", nameof(TrustFailure.Malformed), 400 },
        { "targets-older", nameof(TrustFailure.VersionRollback), 409 },
        { "targets-bad-signature", nameof(TrustFailure.ThresholdNotMet), 400 },
        { "targets-same-version-other-content", nameof(TrustFailure.VersionConflict), 409 },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Trust_metadata_that_does_not_verify_is_refused_with_its_TrustFailure_name_and_nothing_changes(string kind, string failure, int status)
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var trust = await TestTrust.ForAsync(Hub, product);
        var developer = SigningKey.Generate();
        if (kind.StartsWith("targets", StringComparison.Ordinal) || kind is "root-not-chaining" or "root-skips-a-version")
        {
            await trust.PutOkAsync(Hub, "root", trust.Root());
            await trust.PutOkAsync(Hub, "targets", trust.Targets(2, [(developer, "any")]));
        }

        var before = await HubApi.GetAsync(Hub, $"/api/v1/products/{product}/trust");
        var stranger = SigningKey.Generate();
        var (file, json) = kind switch
        {
            "root-wrong-product" => ("root", trust.Root(product: Unique.Name("other"))),
            "root-bad-signature" => ("root", trust.Root(signers: [stranger])),
            "root-snapshot-not-online-key" => ("root", trust.Root(snapshotKey: stranger.PublicKey)),
            "root-not-chaining" => ("root", trust.Root(2, rootKey: stranger, signers: [stranger])),
            "root-skips-a-version" => ("root", trust.Root(3, signers: [trust.RootKey])),
            "root-malformed" => ("root", Encoding.UTF8.GetBytes("{\"signed\":{},\"signatures\":[]}")),
            "targets-older" => ("targets", trust.Targets(1, [(developer, "any")])),
            "targets-bad-signature" => ("targets", trust.Targets(3, [(developer, "any")], signer: stranger)),
            "targets-same-version-other-content" => ("targets", trust.Targets(2, [(developer, "group:test")])),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var (code, problem) = await TestTrust.PutAsync(Hub, product, file, json);

        Assert.Equal(status, code);
        Assert.Equal(failure, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        var after = await HubApi.GetAsync(Hub, $"/api/v1/products/{product}/trust");
        Assert.Equal(before.ToString(), after.ToString());
    }

    [Fact]
    public async Task Provisioning_hands_the_device_the_current_root_and_targets()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var trust = await TestTrust.ForAsync(Hub, product);
        var root = trust.Root();
        var targets = trust.Targets(1, [(SigningKey.Generate(), "any")]);
        await trust.PutOkAsync(Hub, "root", root);
        await trust.PutOkAsync(Hub, "targets", targets);

        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var serial = Unique.Name("tank");
        var (status, body) = await HubApi.PostAsync(Hub, "/api/v1/devices", new { serial, product, tags = Array.Empty<string>(), csr = DeviceIdentity.NewCsr(key, serial) });

        Assert.Equal(201, status);
        Assert.Equal(root, Convert.FromBase64String(body.GetProperty("trustRoot").GetString()!));
        Assert.Equal(targets, Convert.FromBase64String(body.GetProperty("trustTargets").GetString()!));
    }
}
