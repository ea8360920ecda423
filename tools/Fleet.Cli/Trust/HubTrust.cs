using Fleet.Cli.Hub;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary>A product's trust metadata as the hub serves it (<c>GET /api/v1/products/{p}/trust</c>), checked here with
/// <see cref="TrustVerifier"/> before anything is signed on top of it: the root chain must verify from v1 on, and the
/// targets must verify under the current root (or, after an interrupted root rotation, under an earlier one).</summary>
internal sealed record HubTrust(string Product, IReadOnlyList<byte[]> RootFiles, RootMetadata? Root, TargetsMetadata? Targets, VerifyingKey OnlineKey)
{
    public RootMetadata RequireRoot() =>
        Root ?? throw new CliFailure($"product '{Product}' has no trust metadata on the hub yet; create it with 'fleet trust init --product {Product} --root-key NAME'");

    public static async Task<HubTrust> FetchAsync(HubClient hub, string product, CancellationToken ct)
    {
        var view = await hub.GetAsync($"/api/v1/products/{Uri.EscapeDataString(product)}/trust", $"read the trust metadata of '{product}'", ct);
        VerifyingKey online;
        try
        {
            online = VerifyingKey.FromPem(HubOutput.S(view, "onlineKey"), "the hub's online key");
        }
        catch (KeyFormatException ex)
        {
            throw new CliFailure($"the hub's online key for '{product}' is not an Ed25519 public key ({ex.Message}); check the hub version");
        }

        var files = HubOutput.Items(view?["roots"]).Select(r => Decode(r.ToString(), product, "a root")).ToList();
        RootMetadata? root = null;
        var chain = new List<RootMetadata>();
        foreach (var file in files)
        {
            var verified = root is null ? TrustVerifier.VerifyInitialRoot(file) : TrustVerifier.VerifyRoot(file, root);
            if (!verified.IsValid)
            {
                throw new CliFailure($"the hub's root chain for '{product}' does not verify ({verified.Failure}: {verified.Message}); nothing was signed");
            }

            root = verified.Value!;
            chain.Add(root);
        }

        if (root is not null && !string.Equals(root.Product, product, StringComparison.Ordinal))
        {
            throw new CliFailure($"the hub's root for '{product}' names product '{root.Product}'; nothing was signed");
        }

        TargetsMetadata? targets = null;
        if (view?["targets"] is { } t && root is not null)
        {
            var bytes = Decode(t.ToString(), product, "the targets");
            TrustResult<TargetsMetadata>? last = null;
            for (var i = chain.Count - 1; i >= 0 && targets is null; i--)
            {
                last = TrustVerifier.VerifyTargets(bytes, chain[i], null, DateTimeOffset.MinValue);
                targets = last.Value;
            }

            if (targets is null)
            {
                throw new CliFailure($"the hub's targets.json for '{product}' does not verify under any of its roots ({last!.Failure}: {last.Message}); nothing was signed");
            }
        }

        return new HubTrust(product, files, root, targets, online);
    }

    private static byte[] Decode(string base64, string product, string what)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new CliFailure($"the hub sent {what} of '{product}' that is not base64; check the hub version");
        }
    }
}
