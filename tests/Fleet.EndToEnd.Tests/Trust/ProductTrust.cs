using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Trust;

/// <summary>A product's offline TUF keys (root, and a separate targets key) and the metadata <c>fleet trust</c> would
/// sign with them, made with the protocol library; snapshot and timestamp go to the hub's online key, as the hub
/// requires. Uploaded with <c>PUT /api/v1/products/{product}/trust/root|targets</c> (exact bytes).</summary>
internal sealed class ProductTrust
{
    private ProductTrust(string product, VerifyingKey onlineKey)
    {
        Product = product;
        OnlineKey = onlineKey;
    }

    public string Product { get; }

    public VerifyingKey OnlineKey { get; }

    public SigningKey RootKey { get; } = SigningKey.Generate();

    public SigningKey TargetsKey { get; } = SigningKey.Generate();

    public static async Task<ProductTrust> ForAsync(RunningHub hub, string product)
    {
        using var client = hub.Admin();
        var view = JsonNode.Parse(await client.GetStringAsync($"/api/v1/products/{product}/trust"))!;
        return new ProductTrust(product, VerifyingKey.FromPem(view["onlineKey"]!.ToString(), "online key"));
    }

    /// <summary>Root VERSION, also signed by <paramref name="endorsers"/> (keys the root does not list, such as the
    /// legacy product key that tanks provisioned before TUF trust).</summary>
    public byte[] Root(long version = 1, params SigningKey[] endorsers)
    {
        var online = new RoleSpec([OnlineKey], 1);
        var signed = TrustDocuments.Root(Product, version, DateTimeOffset.UtcNow.AddDays(365),
            new RoleSpec([RootKey.PublicKey], 1), new RoleSpec([TargetsKey.PublicKey], 1), online, online);
        return SignedEnvelope.Sign(signed, [RootKey, .. endorsers]);
    }

    /// <summary>Targets VERSION delegating each scope ("any", "group:NAME", "device:SERIAL", ...) to its keys.</summary>
    public byte[] Targets(long version, params (VerifyingKey Key, string Scope)[] keys)
    {
        var delegations = keys.GroupBy(k => k.Scope).Select(g =>
        {
            if (!TrustScope.TryParse(g.Key, out var scope, out var error))
            {
                throw new ArgumentException(error);
            }

            return new DelegationSpec(scope, [.. g.Select(k => k.Key)]);
        }).ToList();
        return SignedEnvelope.Sign(TrustDocuments.Targets(version, DateTimeOffset.UtcNow.AddDays(90), delegations), [TargetsKey]);
    }

    public async Task PutAsync(RunningHub hub, string file, byte[] json)
    {
        using var client = hub.Admin();
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await client.PutAsync($"/api/v1/products/{Product}/trust/{file}", content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT trust/{file}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
