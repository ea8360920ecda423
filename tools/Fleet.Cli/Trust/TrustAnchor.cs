using System.CommandLine;

namespace Fleet.Cli.Trust;

/// <summary>Where the operator's trust in a product's root comes from, independently of the hub: this machine's trust
/// copy (<see cref="LocalTrustCopy"/>, written by <c>fleet trust</c>), or else the SHA-256 of a root.json passed as
/// <c>--trust-root-sha256</c> (as <c>fleet trust show</c> prints it on the machine that holds the copy). The hub's
/// chain must start from that root and verify from it, step by step, to the root it serves; with neither, a product
/// that has trust metadata is refused. Used before a device is registered and before anything is signed.</summary>
internal static class TrustAnchor
{
    public const string OptionName = "--trust-root-sha256";

    public static Option<string?> Option(string description) => new(OptionName) { Description = description };

    /// <summary>Refuses unless the hub's metadata is anchored; <paramref name="outcome"/> says what did not happen
    /// (e.g. "no device was registered").</summary>
    public static void Check(HubTrust state, LocalTrustCopy local, string? pinnedSha256, string outcome)
    {
        var pin = pinnedSha256?.Trim().ToLowerInvariant();
        if (pin is not null && (pin.Length != 64 || !pin.All(Uri.IsHexDigit)))
        {
            throw new CliFailure($"{OptionName} '{pinnedSha256}' is not a SHA-256 (64 hex digits); copy it from 'fleet trust show --product {state.Product}' on the machine that holds the trust copy");
        }

        if (local.HasRoot || state.Root is not null && pin is null)
        {
            if (!local.HasRoot)
            {
                throw new CliFailure($"product '{state.Product}' has trust metadata on the hub (root v{state.Root!.Version}) but there is no trust copy in {local.Directory} " +
                    $"to check the hub's root against, so {outcome}; run this on the machine that holds the trust copy, or pass {OptionName} HEX " +
                    $"as printed by 'fleet trust show --product {state.Product}' there");
            }

            local.CheckAgainst(state);
        }

        if (pin is null)
        {
            return;
        }

        if (state.Root is null)
        {
            throw new CliFailure($"{OptionName} was given, but the hub serves no trust metadata for '{state.Product}', so {outcome}; " +
                "the hub lost or replaced it: PUT the files back from the machine that holds the trust copy (see docs/trust.md)");
        }

        var index = state.RootFiles.ToList().FindIndex(f => HubTrust.Sha256(f) == pin);
        if (index < 0)
        {
            throw new CliFailure($"no root.json in the hub's root chain for '{state.Product}' (v1 to v{state.Root.Version}) has SHA-256 {pin}, so {outcome}; " +
                $"the hub serves other trust metadata than you pinned, or the hash is wrong: compare with 'fleet trust show --product {state.Product}' on the machine that holds the trust copy");
        }

        HubTrust.VerifyChain(state.RootFiles, index, state.Product);
    }
}
