using System.Text.Json;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Trust;

/// <summary>An independent TUF client, tuf-js (tests/tuf-js, pinned in its package-lock.json), refreshes from a real
/// hub's anonymous repository over HTTPS that trusts only the hub's CA, and Fleet's own verifier judges the same
/// served files: both must reach the same verdict. Needs <c>node</c> and <c>npm ci</c> in tests/tuf-js
/// (tests/run.sh does both); without them the tests fail, they do not skip.</summary>
public sealed class TufJsInteropTests(SqliteHub fixture) : IClassFixture<SqliteHub>
{
    private static readonly string ClientDir = Path.Combine(RepoPaths.Root, "tests", "tuf-js");

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Current_metadata_verifies_in_tuf_js_and_in_Fleet()
    {
        var (product, trust) = await ProductAsync();
        var developer = SigningKey.Generate();
        var release = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(developer, "group:test"), (release, "any")]));
        var served = await ServedAsync(product);

        var js = await RefreshAsync(product, served.Root);

        Assert.True(js.Ok, js.Describe());
        Assert.Equal((1L, 1L), (js.Root, js.Targets));
        Assert.NotNull(js.Timestamp);
        Assert.NotNull(js.Snapshot);
        Assert.Equal(["any", "group-test"], js.Delegations.Order(StringComparer.Ordinal));

        var fleet = TrustedMetadata.Load(served.Root, served.Targets);
        Assert.True(fleet.IsValid, fleet.Message);
        Assert.Equal(["any", "group-test"], fleet.Value!.Targets.Delegations.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.Equal(fleet.Value.Targets.DelegationKeys.Keys.Order(StringComparer.Ordinal), js.DelegationKeys.Order(StringComparer.Ordinal));
        Assert.True(fleet.Value.Authorize([developer.KeyId], new FirmwareScope(product, "1.0.0", "tank-1", "test", []), DateTimeOffset.UtcNow).IsValid);
    }

    [Fact]
    public async Task A_rotated_root_signed_by_the_old_and_new_root_keys_verifies_and_the_client_ends_on_v2()
    {
        var (product, trust) = await ProductAsync();
        var developer = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(developer, "any")]));
        var before = await ServedAsync(product);
        using var client = new TempDir("fleet-tuf-js");
        var first = await RefreshAsync(product, before.Root, client.Path);
        Assert.True(first.Ok, first.Describe());
        Assert.Equal(1L, first.Root);

        // The new root key also signs targets (TestTrust gives it both roles), so targets are re-signed with it.
        var next = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root(2, rootKey: next, signers: [trust.RootKey, next]));
        await trust.PutOkAsync(Hub, "targets", trust.Targets(2, [(developer, "any")], signer: next));
        var after = await ServedAsync(product);

        // The same client directory: tuf-js updates from the v1 it trusted, walking 2.root.json.
        var js = await RefreshAsync(product, before.Root, client.Path);
        var fleet = Load(before).Update([after.RootFile(1), after.RootFile(2)], after.Targets, DateTimeOffset.UtcNow);

        Assert.True(js.Ok, js.Describe());
        Assert.True(fleet.IsValid, fleet.Message);
        Assert.Equal((2L, 2L), (js.Root, js.Targets));
        Assert.Equal((2L, 2L), (fleet.Value!.Root.Version, fleet.Value.Targets.Version));

        // A fresh client that trusts only v1 gets there too.
        var fresh = await RefreshAsync(product, before.Root);
        Assert.True(fresh.Ok, fresh.Describe());
        Assert.Equal(2L, fresh.Root);
    }

    [Fact]
    public async Task Targets_without_the_revoked_keys_delegation_verify_with_that_key_absent()
    {
        var (product, trust) = await ProductAsync();
        var developer = SigningKey.Generate();
        var revoked = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(developer, "group:test"), (revoked, "tag:field")]));
        var before = await ServedAsync(product);
        var revokedId = TufKey.From(revoked.PublicKey).KeyId;
        using var client = new TempDir("fleet-tuf-js");
        var first = await RefreshAsync(product, before.Root, client.Path);
        Assert.True(first.Ok, first.Describe());
        Assert.Contains(revokedId, first.DelegationKeys);

        await trust.PutOkAsync(Hub, "targets", trust.Targets(2, [(developer, "group:test")]));
        var after = await ServedAsync(product);

        var js = await RefreshAsync(product, before.Root, client.Path);
        var fleet = Load(before).Update([], after.Targets, DateTimeOffset.UtcNow);

        Assert.True(js.Ok, js.Describe());
        Assert.True(fleet.IsValid, fleet.Message);
        Assert.Equal(2L, js.Targets);
        Assert.DoesNotContain(revokedId, js.DelegationKeys);
        Assert.Equal(["group-test"], js.Delegations);
        Assert.DoesNotContain(revokedId, fleet.Value!.Targets.DelegationKeys.Keys);
        var scope = new FirmwareScope(product, "1.0.0", "tank-1", "test", ["field"]);
        Assert.Equal(TrustFailure.UnknownSigner, fleet.Value.Authorize([revoked.KeyId], scope, DateTimeOffset.UtcNow).Failure);
        Assert.True(fleet.Value.Authorize([developer.KeyId], scope, DateTimeOffset.UtcNow).IsValid);
    }

    [Fact]
    public async Task Expired_targets_are_refused_by_tuf_js_and_by_Fleet_alike()
    {
        var (product, trust) = await ProductAsync();
        var developer = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(developer, "any")]));
        var before = await ServedAsync(product);

        // The hub refuses targets that have already expired, so these expire a few seconds after the PUT, and the
        // test waits that out (TUF expiry has one-second resolution). Nothing here depends on how fast anything runs.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3);
        var shortLived = SignedEnvelope.Sign(TrustDocuments.Targets(2, expires, [new DelegationSpec(TrustScope.AnyDevice, [developer.PublicKey])]), [trust.RootKey]);
        await trust.PutOkAsync(Hub, "targets", shortLived);
        while (DateTimeOffset.UtcNow <= expires.AddSeconds(1))
        {
            await Task.Delay(250);
        }

        var expired = await ServedAsync(product);
        Assert.Equal(shortLived, expired.Targets);

        var js = await RefreshAsync(product, before.Root);
        var now = DateTimeOffset.UtcNow;
        var fleet = Load(before).Update([], expired.Targets, now);
        var loaded = TrustedMetadata.Load(expired.Root, expired.Targets);

        // tuf-js throws ExpiredMetadataError("targets.json is expired"); its Updater (3.1.0) wraps whatever fails while
        // loading targets in a RuntimeError that keeps the inner message only.
        Assert.False(js.Ok, js.Describe());
        Assert.Equal("RuntimeError", js.ErrorName);
        Assert.Matches(@"\btargets\.json is expired\b", js.ErrorMessage);
        Assert.Equal(TrustFailure.Expired, fleet.Failure);
        Assert.True(loaded.IsValid, loaded.Message);
        Assert.Equal(TrustFailure.Expired, loaded.Value!.Authorize([developer.KeyId], new FirmwareScope(product, "1.0.0", "tank-1", null, []), now).Failure);

        // Newer, unexpired targets end the freeze for both.
        await trust.PutOkAsync(Hub, "targets", trust.Targets(3, [(developer, "any")]));
        var renewed = await ServedAsync(product);
        var jsRenewed = await RefreshAsync(product, before.Root);
        var fleetRenewed = Load(before).Update([], renewed.Targets, DateTimeOffset.UtcNow);
        Assert.True(jsRenewed.Ok, jsRenewed.Describe());
        Assert.True(fleetRenewed.IsValid, fleetRenewed.Message);
        Assert.Equal((3L, 3L), (jsRenewed.Targets, fleetRenewed.Value!.Targets.Version));
    }

    [Fact]
    public async Task A_root_not_signed_by_the_trusted_root_keys_is_refused_by_both()
    {
        var (product, trust) = await ProductAsync();
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(SigningKey.Generate(), "any")]));
        var served = await ServedAsync(product);

        // A client provisioned with another product owner's root (same online key, other root key) must refuse.
        var stranger = trust.Root(1, rootKey: SigningKey.Generate());
        var js = await RefreshAsync(product, stranger);
        var fleet = TrustedMetadata.Load(stranger, served.Targets);

        // The stranger's root names the hub's online key too, so timestamp and snapshot pass: both clients refuse
        // targets.json, signed by none of the targets keys that root names.
        Assert.False(js.Ok, js.Describe());
        Assert.Matches(@"\btargets was signed by 0/1 keys\b", js.ErrorMessage);
        Assert.Equal(TrustFailure.ThresholdNotMet, fleet.Failure);
        Assert.Contains("targets.json", fleet.Message, StringComparison.Ordinal);
    }

    private async Task<(string Product, TestTrust Trust)> ProductAsync()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        return (product, await TestTrust.ForAsync(Hub, product));
    }

    private static TrustedMetadata Load(Served served)
    {
        var loaded = TrustedMetadata.Load(served.Root, served.Targets);
        Assert.True(loaded.IsValid, loaded.Message);
        return loaded.Value!;
    }

    /// <summary>The files as the hub serves them anonymously: what tuf-js downloads, byte for byte.</summary>
    private async Task<Served> ServedAsync(string product)
    {
        using var anonymous = Hub.Client();
        var root = await anonymous.GetByteArrayAsync($"/tuf/{product}/root.json");
        var version = SignedEnvelope.Parse(root, "root.json").Signed["version"]!.GetValue<long>();
        var roots = new List<byte[]>();
        for (var v = 1; v <= version; v++)
        {
            roots.Add(await anonymous.GetByteArrayAsync($"/tuf/{product}/{v}.root.json"));
        }

        return new Served(roots[0], roots, await anonymous.GetByteArrayAsync($"/tuf/{product}/targets.json"));
    }

    /// <summary>Runs tests/tuf-js/refresh.js as a process: tuf-js's Updater.refresh() against the hub.</summary>
    private async Task<TufJsResult> RefreshAsync(string product, byte[] trustedRoot, string? metadataDir = null)
    {
        var node = FindOnPath("node") ?? throw new InvalidOperationException("node is not installed; tests/run.sh installs Debian's nodejs and npm");
        var package = Path.Combine(ClientDir, "node_modules", "tuf-js", "package.json");
        Assert.True(File.Exists(package), $"{package} is missing; run 'npm ci' in tests/tuf-js (tests/run.sh does)");
        using var work = new TempDir("fleet-tuf-js-root");
        var rootPath = work.Combine("root.json");
        await File.WriteAllBytesAsync(rootPath, trustedRoot);
        List<string> args = [Path.Combine(ClientDir, "refresh.js"), "--base-url", $"{Hub.Url}/tuf/{product}", "--root", rootPath, "--ca", Hub.CaCertPath];
        if (metadataDir is not null)
        {
            args.AddRange(["--metadata-dir", metadataDir]);
        }

        var run = await ProductProcess.RunAsync(node, args, workingDirectory: ClientDir, timeout: TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"tuf-js client failed to run: {run}");
        var line = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"tuf-js client printed nothing: {run}");
        return TufJsResult.Parse(line);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    private sealed record Served(byte[] Root, IReadOnlyList<byte[]> Roots, byte[] Targets)
    {
        public byte[] RootFile(int version) => Roots[version - 1];
    }

    private sealed record TufJsResult(bool Ok, long? Root, long? Timestamp, long? Snapshot, long? Targets, IReadOnlyList<string> Delegations,
        IReadOnlyList<string> DelegationKeys, string? ErrorName, string? ErrorMessage, string Line)
    {
        public static TufJsResult Parse(string line)
        {
            var json = JsonDocument.Parse(line).RootElement;
            long? Version(string name) => json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
            var ok = json.GetProperty("ok").GetBoolean();
            var error = json.TryGetProperty("error", out var e) ? e : default;
            return new TufJsResult(
                ok,
                Version("root"),
                Version("timestamp"),
                Version("snapshot"),
                Version("targets"),
                ok ? [.. json.GetProperty("delegations").EnumerateArray().Select(d => d.GetProperty("name").GetString()!)] : [],
                ok ? [.. json.GetProperty("delegationKeys").EnumerateArray().Select(k => k.GetString()!)] : [],
                ok ? null : error.GetProperty("name").GetString(),
                ok ? null : error.GetProperty("message").GetString(),
                line);
        }

        public string Describe() => $"tuf-js said: {Line}";
    }
}
