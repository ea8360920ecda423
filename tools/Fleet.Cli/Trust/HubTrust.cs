using System.Security.Cryptography;
using Fleet.Cli.Hub;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary>A product's trust metadata as the hub serves it (<c>GET /api/v1/products/{p}/trust</c>), checked here with
/// <see cref="TrustVerifier"/> before anything is signed on top of it or written to a device: the root chain must verify
/// step by step, and the targets must verify under the LATEST root. Targets that verify only under an earlier root (a
/// root rotation that changed the targets keys and was interrupted before targets were signed anew) are not built upon:
/// <see cref="Targets"/> is null and only their version is kept, in <see cref="StaleTargetsVersion"/>, as a floor for the
/// next version. Where the chain may start is decided by <see cref="TrustAnchor"/> (the local trust copy or a pinned hash),
/// never by the hub.</summary>
internal sealed record HubTrust(string Product, IReadOnlyList<byte[]> RootFiles, RootMetadata? Root, TargetsMetadata? Targets,
    byte[]? TargetsFile, long? StaleTargetsVersion, VerifyingKey OnlineKey)
{
    public RootMetadata RequireRoot() =>
        Root ?? throw new CliFailure($"product '{Product}' has no trust metadata on the hub yet; create it with 'fleet trust init --product {Product} --root-key NAME'");

    /// <summary>The version of the targets.json the hub serves, verified or not (0 when none): the floor for the next one.</summary>
    public long TargetsVersion => Targets?.Version ?? StaleTargetsVersion ?? 0;

    /// <summary>SHA-256 (lower-case hex) of the latest root.json's bytes, as <c>fleet trust show</c> prints it.</summary>
    public string? RootSha256 => RootFiles.Count == 0 ? null : Sha256(RootFiles[^1]);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Targets that verify under the latest root, or one message saying why they cannot be built upon.</summary>
    public TargetsMetadata? RequireCurrentTargets()
    {
        if (StaleTargetsVersion is { } stale)
        {
            throw new CliFailure($"targets.json v{stale} of '{Product}' on the hub is not signed by the targets keys of the current root v{Root!.Version} " +
                "(a root rotation changed the targets keys and targets were not signed anew), so its delegations are not carried over; " +
                $"re-issue them: 'fleet trust add-key --product {Product} --key NAME --scope SCOPE --reissue' signs targets v{stale + 1} with that key only, then add the others");
        }

        return Targets;
    }

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
        var chain = VerifyChain(files, 0, product);
        var root = chain.Count == 0 ? null : chain[^1];
        if (root is not null && !string.Equals(root.Product, product, StringComparison.Ordinal))
        {
            throw new CliFailure($"the hub's root for '{product}' names product '{root.Product}'; nothing was signed");
        }

        TargetsMetadata? targets = null;
        byte[]? targetsFile = null;
        long? stale = null;
        if (view?["targets"] is { } t && root is not null)
        {
            targetsFile = Decode(t.ToString(), product, "the targets");
            var latest = TrustVerifier.VerifyTargets(targetsFile, root, null, DateTimeOffset.MinValue);
            targets = latest.Value;
            for (var i = chain.Count - 2; i >= 0 && targets is null && stale is null; i--)
            {
                stale = TrustVerifier.VerifyTargets(targetsFile, chain[i], null, DateTimeOffset.MinValue).Value?.Version;
            }

            if (targets is null && stale is null)
            {
                throw new CliFailure($"the hub's targets.json for '{product}' does not verify under any of its roots ({latest.Failure}: {latest.Message}); nothing was signed");
            }
        }

        return new HubTrust(product, files, root, targets, targetsFile, stale, online);
    }

    /// <summary>Verifies <paramref name="files"/> from index <paramref name="from"/> on: that root checked against itself
    /// (it is the anchor the caller trusts), each later one with <see cref="TrustVerifier.VerifyRoot"/> from the one before.</summary>
    public static List<RootMetadata> VerifyChain(IReadOnlyList<byte[]> files, int from, string product)
    {
        var chain = new List<RootMetadata>();
        RootMetadata? root = null;
        for (var i = from; i < files.Count; i++)
        {
            var verified = root is null ? TrustVerifier.VerifyInitialRoot(files[i]) : TrustVerifier.VerifyRoot(files[i], root);
            if (!verified.IsValid)
            {
                throw new CliFailure($"the hub's root chain for '{product}' does not verify at root v{i + 1} ({verified.Failure}: {verified.Message}); nothing was signed or written");
            }

            root = verified.Value!;
            chain.Add(root);
        }

        return chain;
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
