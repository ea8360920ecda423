namespace Fleet.Protocol.Trust;

/// <summary>What a device (or the hub, on its behalf) currently trusts for one product: a root and the targets it
/// signed. Only <see cref="Load"/> and <see cref="Update"/> make one, both through <see cref="TrustVerifier"/>.</summary>
public sealed class TrustedMetadata
{
    private TrustedMetadata(RootMetadata root, TargetsMetadata targets)
    {
        Root = root;
        Targets = targets;
    }

    public RootMetadata Root { get; }

    public TargetsMetadata Targets { get; }

    public string Product => Root.Product;

    /// <summary>Reads stored metadata back: the root verifies against itself, the targets against the root. Expiry is
    /// left to <see cref="Authorize"/>, so an expired document still loads and can be replaced by a newer one.</summary>
    public static TrustResult<TrustedMetadata> Load(ReadOnlySpan<byte> rootJson, ReadOnlySpan<byte> targetsJson)
    {
        var root = TrustVerifier.VerifyInitialRoot(rootJson);
        if (!root.IsValid)
        {
            return root.As<TrustedMetadata>();
        }

        var targets = TrustVerifier.VerifyTargets(targetsJson, root.Value!, null, DateTimeOffset.MinValue);
        return targets.IsValid
            ? TrustResult<TrustedMetadata>.Ok(new TrustedMetadata(root.Value!, targets.Value!), $"{root.Message}, {targets.Message}")
            : targets.As<TrustedMetadata>();
    }

    /// <summary>Moves to newer metadata: each root in <paramref name="roots"/> newer than the trusted one must follow
    /// it (older ones are skipped: the hub sends the whole chain), the final root must not be expired, and the targets
    /// must verify against it and not be older than the trusted targets, unless the new root rotated the targets keys
    /// (then the trusted targets are discarded first, TUF 5.3.11).</summary>
    public TrustResult<TrustedMetadata> Update(IEnumerable<byte[]> roots, ReadOnlySpan<byte> targetsJson, DateTimeOffset now)
    {
        var root = Root;
        foreach (var bytes in roots)
        {
            var peek = TrustVerifier.VerifyInitialRoot(bytes);
            if (peek.IsValid && peek.Value!.Version <= root.Version)
            {
                continue;
            }

            var next = TrustVerifier.VerifyRoot(bytes, root);
            if (!next.IsValid)
            {
                return next.As<TrustedMetadata>();
            }

            root = next.Value!;
        }

        if (root.Expires <= now)
        {
            return TrustResult<TrustedMetadata>.Fail(TrustFailure.Expired, $"root.json v{root.Version} expired at {StrictJson.FormatTimestamp(root.Expires)}; sign a new root with 'fleet trust root'");
        }

        // TUF 5.3.11, fast-forward attack recovery: a root that rotates the targets keys discards the trusted
        // targets, so a version raised to the limit by a compromised targets key does not outlive the rotation. The
        // targets must still verify against the new root's (new) targets keys. Fleet devices keep no snapshot or
        // timestamp (the hub's online key signs those for TUF clients), so targets is the one role to discard.
        var trustedTargets = RotatesKeys(Root, root, TufRoles.Targets) ? null : Targets;
        var targets = TrustVerifier.VerifyTargets(targetsJson, root, trustedTargets, now);
        return targets.IsValid
            ? TrustResult<TrustedMetadata>.Ok(new TrustedMetadata(root, targets.Value!), $"root v{root.Version}, {targets.Message}")
            : targets.As<TrustedMetadata>();
    }

    /// <summary>A tank provisioned before TUF metadata (it trusts the product keys in <c>trusted-keys/</c> for any
    /// firmware) takes its first root over the air only from a root those keys endorse: the earliest root in
    /// <paramref name="roots"/> that verifies on its own and also carries a signature by one of
    /// <paramref name="legacyKeys"/> (<c>fleet trust init --legacy-key</c>), followed forward through the later roots.
    /// The hub cannot choose the root: it would need a product signing key the tank trusts already. The root must
    /// name <paramref name="product"/> (the product the tank runs), so a key shared by two products cannot move a
    /// tank to the other's root for good.</summary>
    public static TrustResult<TrustedMetadata> Adopt(IReadOnlyList<byte[]> roots, ReadOnlySpan<byte> targetsJson, IReadOnlyList<Signing.VerifyingKey> legacyKeys, string? product, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(product))
        {
            return TrustResult<TrustedMetadata>.Fail(TrustFailure.NotProvisioned, "the device cannot tell which product it runs (no readable slot manifest), so it takes no first root from the hub; provision it again");
        }

        var legacy = legacyKeys.Select(TufKey.From).DistinctBy(k => k.KeyId).ToDictionary(k => k.KeyId, StringComparer.Ordinal);
        var endorsers = new RoleKeys([.. legacy.Keys], 1);
        RootMetadata? root = null;
        var start = 0;
        for (; start < roots.Count && root is null && legacy.Count > 0; start++)
        {
            var verified = TrustVerifier.VerifyInitialRoot(roots[start]);
            if (verified.IsValid && verified.Value!.Product == product && SignedEnvelope.Parse(roots[start], "root.json").SignedBy(endorsers, legacy).Count > 0)
            {
                root = verified.Value!;
            }
        }

        if (root is null)
        {
            return TrustResult<TrustedMetadata>.Fail(TrustFailure.NotProvisioned, legacy.Count == 0
                ? "the device has neither trust metadata nor trusted keys; provision it again"
                : $"no root in the trust command is endorsed by a key in trusted-keys/ ({string.Join(", ", legacyKeys.Select(k => k.KeyId))}); sign the root with 'fleet trust init --legacy-key NAME' (or 'rotate-root --legacy-key'), or provision the device again");
        }

        for (; start < roots.Count; start++)
        {
            var next = TrustVerifier.VerifyRoot(roots[start], root);
            if (!next.IsValid)
            {
                return next.As<TrustedMetadata>();
            }

            root = next.Value!;
        }

        if (root.Expires <= now)
        {
            return TrustResult<TrustedMetadata>.Fail(TrustFailure.Expired, $"root.json v{root.Version} expired at {StrictJson.FormatTimestamp(root.Expires)}; sign a new root with 'fleet trust rotate-root'");
        }

        var targets = TrustVerifier.VerifyTargets(targetsJson, root, null, now);
        return targets.IsValid
            ? TrustResult<TrustedMetadata>.Ok(new TrustedMetadata(root, targets.Value!), $"adopted root v{root.Version} endorsed by a trusted key, {targets.Message}")
            : targets.As<TrustedMetadata>();
    }

    /// <summary>True when <paramref name="next"/> names another set of keys for <paramref name="role"/> than
    /// <paramref name="trusted"/> does (a key added, removed or replaced; a threshold change alone is not a rotation).</summary>
    public static bool RotatesKeys(RootMetadata trusted, RootMetadata next, string role) =>
        !trusted.Role(role).KeyIds.ToHashSet(StringComparer.Ordinal).SetEquals(next.Role(role).KeyIds);

    /// <summary>Decides whether firmware signed by <paramref name="validSigners"/> (Fleet key ids whose manifest
    /// signature verified) may be installed where <paramref name="scope"/> says: some delegated role must cover the
    /// device and reach its threshold with those signers, and neither root nor targets may have expired.</summary>
    public TrustResult<FirmwareAuthorization> Authorize(IReadOnlyList<string> validSigners, FirmwareScope scope, DateTimeOffset now)
    {
        if (!string.Equals(scope.Product, Product, StringComparison.Ordinal))
        {
            return TrustResult<FirmwareAuthorization>.Fail(TrustFailure.WrongProduct, $"the firmware is for product '{scope.Product}'; this trust metadata is for '{Product}'");
        }

        if (Root.Expires <= now || Targets.Expires <= now)
        {
            var which = Root.Expires <= now ? $"root v{Root.Version}" : $"targets v{Targets.Version}";
            return TrustResult<FirmwareAuthorization>.Fail(TrustFailure.Expired, $"the trusted {which} has expired, so no firmware is trusted until the hub delivers newer metadata");
        }

        var trustedSigners = new List<(DelegatedRole Role, List<string> KeyIds)>();
        foreach (var role in Delegations())
        {
            var ids = role.Keys.KeyIds.Where(id => validSigners.Contains(Targets.DelegationKeys[id].FleetKeyId, StringComparer.Ordinal)).ToList();
            if (ids.Count == 0)
            {
                continue;
            }

            if (ids.Count >= role.Keys.Threshold && role.Covers(scope))
            {
                return TrustResult<FirmwareAuthorization>.Ok(new FirmwareAuthorization(role.Name, [.. ids.Select(id => Targets.DelegationKeys[id].FleetKeyId)]), $"signed by {string.Join(", ", ids.Select(id => Targets.DelegationKeys[id].FleetKeyId))} under scope '{role.Name}'");
            }

            trustedSigners.Add((role, ids));
        }

        var signers = validSigners.Count == 0 ? "no key" : string.Join(", ", validSigners);
        if (trustedSigners.Count == 0)
        {
            return TrustResult<FirmwareAuthorization>.Fail(TrustFailure.UnknownSigner, $"the firmware is signed by {signers}, which targets v{Targets.Version} does not list (unknown or revoked)");
        }

        var scopes = string.Join("; ", trustedSigners.Select(s => $"key {string.Join(", ", s.KeyIds.Select(id => Targets.DelegationKeys[id].FleetKeyId))} has scope '{s.Role.Name}' ({s.Role.DescribePaths()})"));
        return TrustResult<FirmwareAuthorization>.Fail(TrustFailure.OutOfScope, $"{scopes}, which does not cover {scope.Describe()}");
    }

    /// <summary>Fleet delegates one level deep (no role delegates further), so every delegated role is a candidate.</summary>
    private IEnumerable<DelegatedRole> Delegations() => Targets.Delegations;
}
