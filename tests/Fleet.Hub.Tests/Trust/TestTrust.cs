using System.Net.Http.Headers;
using System.Text.Json;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Trust;

/// <summary>A product's offline root key and the metadata `fleet trust` would sign with it, made with the protocol
/// library, and the hub's trust endpoints.</summary>
internal sealed class TestTrust
{
    private TestTrust(string product, VerifyingKey onlineKey)
    {
        Product = product;
        OnlineKey = onlineKey;
    }

    public string Product { get; }

    public VerifyingKey OnlineKey { get; }

    public SigningKey RootKey { get; } = SigningKey.Generate();

    public static async Task<TestTrust> ForAsync(RunningHub hub, string product)
    {
        var view = await HubApi.GetAsync(hub, $"/api/v1/products/{product}/trust");
        return new TestTrust(product, VerifyingKey.FromPem(view.GetProperty("onlineKey").GetString()!, "online key"));
    }

    public byte[] Root(long version = 1, SigningKey? rootKey = null, IEnumerable<SigningKey>? signers = null, string? product = null, VerifyingKey? snapshotKey = null)
    {
        var root = rootKey ?? RootKey;
        var online = new RoleSpec([snapshotKey ?? OnlineKey], 1);
        var signed = TrustDocuments.Root(product ?? Product, version, DateTimeOffset.UtcNow.AddDays(365), new RoleSpec([root.PublicKey], 1), new RoleSpec([root.PublicKey], 1), online, online);
        return SignedEnvelope.Sign(signed, signers ?? [root]);
    }

    public byte[] Targets(long version, IEnumerable<(SigningKey Key, string Scope)> keys, SigningKey? signer = null)
    {
        var delegations = keys.GroupBy(k => k.Scope).Select(g =>
        {
            Assert.True(TrustScope.TryParse(g.Key, out var scope, out var error), error);
            return new DelegationSpec(scope, [.. g.Select(k => k.Key.PublicKey)]);
        });
        return SignedEnvelope.Sign(TrustDocuments.Targets(version, DateTimeOffset.UtcNow.AddDays(90), delegations), [signer ?? RootKey]);
    }

    public static async Task<(int Status, JsonElement Body)> PutAsync(RunningHub hub, string product, string file, byte[] json)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await HubApi.SendAsync(hub, HttpMethod.Put, $"/api/v1/products/{product}/trust/{file}", content);
    }

    public async Task PutOkAsync(RunningHub hub, string file, byte[] json)
    {
        var (status, body) = await PutAsync(hub, Product, file, json);
        Assert.True(status == 200, $"PUT {file}: {status} {body}");
    }
}
