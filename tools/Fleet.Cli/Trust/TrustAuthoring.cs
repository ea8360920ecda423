using Fleet.Cli.Hub;
using Fleet.Cli.Keys;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Cli.Trust;

/// <summary>Writing a product's trust metadata: read the hub's current files and check them (against the local trust
/// copy, or the pinned root: <see cref="TrustAnchor"/>), print what changes, build the next version
/// with <see cref="TrustDocuments"/>, sign it with the offline keys here, verify the result with
/// <see cref="TrustVerifier"/> as a device would, PUT it, and only then update the local copy. A refusal anywhere
/// leaves the hub and the local copy as they were.</summary>
internal sealed class TrustAuthoring(HubClient hub, string product, LocalTrustCopy local, string? trustRootSha256 = null)
{
    private string Api => $"/api/v1/products/{Uri.EscapeDataString(product)}/trust";

    public Task<HubTrust> ReadAsync(CancellationToken ct) => HubTrust.FetchAsync(hub, product, ct);

    public async Task<TrustChange> InitAsync(IReadOnlyList<string> rootKeyNames, int threshold, IReadOnlyList<string> targetsKeyNames, DateTimeOffset rootExpires, DateTimeOffset targetsExpires, IReadOnlyList<string> legacyKeyNames, CancellationToken ct)
    {
        var state = await ReadAsync(ct);
        if (state.Root is not null)
        {
            throw new CliFailure($"product '{product}' has trust metadata already (root v{state.Root.Version}); change it with 'fleet trust add-key', 'rotate-key', 'revoke-key' or 'rotate-root'");
        }

        if (local.HasRoot)
        {
            throw new CliFailure($"{local.Directory} holds trust metadata already, but the hub has none for '{product}'; PUT those files back (see docs/trust.md) or pass --dir for a new copy");
        }

        var rootKeys = Distinct(rootKeyNames.Select(TrustSigners.LoadRootKey), "--root-key");
        if (threshold < 1 || threshold > rootKeys.Count)
        {
            throw new CliFailure($"--threshold {threshold} needs between 1 and {rootKeys.Count} root keys (one --root-key per key)");
        }

        var targetsKeys = Distinct(targetsKeyNames.Select(TrustSigners.LoadRootKey), "--targets-key");
        var rootSpec = new RoleSpec([.. rootKeys.Select(k => k.PublicKey)], threshold);
        var targetsSpec = targetsKeys.Count == 0 ? rootSpec : new RoleSpec([.. targetsKeys.Select(k => k.PublicKey)], 1);
        var online = new RoleSpec([state.OnlineKey], 1);
        TrustSummary.Init(product, rootSpec, targetsSpec, rootExpires, targetsExpires);
        var legacy = LegacyEndorsers(legacyKeyNames, rootKeys);
        var rootBytes = SignedEnvelope.Sign(TrustDocuments.Root(product, 1, rootExpires, rootSpec, targetsSpec, online, online), [.. rootKeys, .. legacy]);
        var root = Expect(TrustVerifier.VerifyInitialRoot(rootBytes), "root.json v1");
        var targetsBytes = SignedEnvelope.Sign(TrustDocuments.Targets(1, targetsExpires, []), targetsKeys.Count == 0 ? rootKeys : targetsKeys);
        var targets = Expect(TrustVerifier.VerifyTargets(targetsBytes, root, null, DateTimeOffset.UtcNow), "targets.json v1");

        await PutAsync("root", rootBytes, $"store root.json v1 of '{product}'", ct);
        local.Save([rootBytes], null);
        await PutAsync("targets", targetsBytes, $"store targets.json v1 of '{product}'", ct);
        local.Save([rootBytes], targetsBytes);
        return new TrustChange(1, root.Expires, 1, targets.Expires, true, true);
    }

    /// <summary>Targets one version on with <paramref name="edit"/> applied to its delegations. With
    /// <paramref name="reissue"/>, the served targets (which verify only under an earlier root) lend only their version:
    /// the edit starts from no delegations.</summary>
    public async Task<TrustChange> EditTargetsAsync(Func<HubTrust, IReadOnlyList<DelegationSpec>, List<DelegationSpec>> edit, TrustSigners signers, DateTimeOffset? expires, CancellationToken ct, bool reissue = false)
    {
        var state = await ReadAsync(ct);
        TrustAnchor.Check(state, local, trustRootSha256, "nothing was signed");
        var root = state.RequireRoot();
        IReadOnlyList<DelegationSpec> current;
        if (reissue)
        {
            if (state.StaleTargetsVersion is null)
            {
                throw new CliFailure($"--reissue: targets.json v{state.TargetsVersion} of '{product}' verifies under the current root v{root.Version}, so there is nothing to re-issue; drop --reissue");
            }

            current = [];
        }
        else
        {
            state.RequireCurrentTargets();
            current = CurrentDelegations(state);
        }

        var next = edit(state, current);
        var until = expires ?? state.Targets?.Expires ?? TrustDuration.From(DateTimeOffset.UtcNow, "365d", "--expires");
        if (until <= DateTimeOffset.UtcNow)
        {
            throw new CliFailure($"targets.json of '{product}' expired at {TrustDuration.Format(until)}; pass --expires (e.g. --expires 365d) to sign a new lifetime");
        }

        signers.RequireAllIn("targets", root.Role(TufRoles.Targets));
        var keys = signers.For("targets", root.Role(TufRoles.Targets));
        var version = state.TargetsVersion + 1;
        TrustSummary.Targets(product, state.TargetsVersion, state.Targets?.Expires, version, until, current, next, reissue);
        var bytes = SignTargets(root, state.Targets, version, next, until, keys);
        await PutAsync("targets", bytes, $"store targets.json v{version} of '{product}'", ct);
        local.Save(state.RootFiles, bytes);
        var signed = TrustVerifier.VerifyTargets(bytes, root, null, DateTimeOffset.MinValue).Value!;
        return new TrustChange(root.Version, root.Expires, signed.Version, signed.Expires, false, true);
    }

    /// <summary>TUF 5.3: root v+1 signed by a threshold of the current root keys and a threshold of the new ones. When
    /// the targets keys change, targets are signed anew with the same delegations, so devices keep trusting firmware.</summary>
    public async Task<TrustChange> RotateRootAsync(RootChange change, TrustSigners signers, CancellationToken ct)
    {
        var state = await ReadAsync(ct);
        TrustAnchor.Check(state, local, trustRootSha256, "nothing was signed");
        var old = state.RequireRoot();
        var oldRole = old.Role(TufRoles.Root);
        signers.RequireAllIn("root", oldRole);
        var oldKeys = oldRole.KeyIds.Select(id => old.Keys[id].Key).ToList();
        var added = Distinct(change.AddKeys.Select(TrustSigners.LoadRootKey), "--add-root-key");
        var removed = change.RemoveKeys.Select(r => KeyReference.Resolve(r, oldRole.KeyIds.Select(id => old.Keys[id]), "--remove-root-key")).ToList();
        foreach (var key in removed.Where(k => !oldKeys.Contains(k)))
        {
            throw new CliFailure($"--remove-root-key: key {TrustSigners.Short(TufKey.From(key).KeyId)} is not a root key of root v{old.Version}");
        }

        var newKeys = oldKeys.Where(k => !removed.Contains(k)).Concat(added.Select(a => a.PublicKey)).Distinct().ToList();
        if (newKeys.Count == 0)
        {
            throw new CliFailure("the new root would have no root key; add one with --add-root-key NAME (create it with 'fleet keys root create NAME')");
        }

        var threshold = change.Threshold ?? Math.Min(oldRole.Threshold, newKeys.Count);
        if (threshold < 1 || threshold > newKeys.Count)
        {
            throw new CliFailure($"--threshold {threshold} needs between 1 and {newKeys.Count} root keys (the new root has {newKeys.Count})");
        }

        var targetsKeys = Distinct(change.TargetsKeys.Select(TrustSigners.LoadRootKey), "--targets-key");
        var oldTargetsRole = old.Role(TufRoles.Targets);
        var targetsFollowRoot = oldTargetsRole.Threshold == oldRole.Threshold && oldTargetsRole.KeyIds.Order(StringComparer.Ordinal).SequenceEqual(oldRole.KeyIds.Order(StringComparer.Ordinal));
        var rootSpec = new RoleSpec(newKeys, threshold);
        var targetsSpec = targetsKeys.Count > 0 ? new RoleSpec([.. targetsKeys.Select(k => k.PublicKey)], 1)
            : targetsFollowRoot ? rootSpec
            : new RoleSpec([.. oldTargetsRole.KeyIds.Select(id => old.Keys[id].Key)], oldTargetsRole.Threshold);
        var online = new RoleSpec([state.OnlineKey], 1);
        var byOld = signers.For($"root v{old.Version}", oldRole);
        var newRole = new RoleKeys([.. newKeys.Select(k => TufKey.From(k).KeyId)], threshold);
        var byNew = signers.For($"new root v{old.Version + 1}", newRole, [.. added, .. byOld]);
        var newTargetsIds = targetsSpec.Keys.Select(k => TufKey.From(k).KeyId).Order(StringComparer.Ordinal);
        var targetsKeysChange = targetsSpec.Threshold != oldTargetsRole.Threshold || !newTargetsIds.SequenceEqual(oldTargetsRole.KeyIds.Order(StringComparer.Ordinal));
        TrustSummary.Root(product, old, old.Version + 1, rootSpec, targetsSpec, change.Expires,
            state.StaleTargetsVersion is { } stale ? $"targets.json v{stale} is not signed anew: it does not verify under root v{old.Version}; re-issue its delegations with 'fleet trust add-key --reissue'"
            : targetsKeysChange && state.Targets is not null ? $"targets.json v{state.Targets.Version + 1} is signed by the new targets keys, same delegations"
            : null);
        var rootBytes = SignedEnvelope.Sign(
            TrustDocuments.Root(product, old.Version + 1, change.Expires, rootSpec, targetsSpec, online, online),
            byOld.Concat(byNew).DistinctBy(k => k.KeyId).Concat(LegacyEndorsers(change.LegacyKeys ?? [], [.. byOld, .. byNew])));
        var root = Expect(TrustVerifier.VerifyRoot(rootBytes, old), $"root.json v{old.Version + 1}");

        byte[]? targetsBytes = null;
        var newTargetsRole = root.Role(TufRoles.Targets);
        var targetsChanged = newTargetsRole.Threshold != oldTargetsRole.Threshold
            || !newTargetsRole.KeyIds.Order(StringComparer.Ordinal).SequenceEqual(oldTargetsRole.KeyIds.Order(StringComparer.Ordinal));
        if (targetsChanged && state.Targets is not null)
        {
            var until = state.Targets.Expires > DateTimeOffset.UtcNow ? state.Targets.Expires : change.Expires;
            var targetsSigners = signers.For("new targets", newTargetsRole, [.. targetsKeys, .. added, .. byOld, .. byNew]);
            targetsBytes = SignTargets(root, state.Targets, state.Targets.Version + 1, CurrentDelegations(state), until, targetsSigners);
        }

        var roots = state.RootFiles.Append(rootBytes).ToList();
        await PutAsync("root", rootBytes, $"store root.json v{root.Version} of '{product}'", ct);
        local.Save(roots, null);
        if (targetsBytes is not null)
        {
            await PutAsync("targets", targetsBytes, $"store targets.json v{state.Targets!.Version + 1} of '{product}' signed by the new targets keys", ct);
            local.Save(roots, targetsBytes);
        }

        var targets = targetsBytes is null ? state.Targets : TrustVerifier.VerifyTargets(targetsBytes, root, null, DateTimeOffset.MinValue).Value;
        return new TrustChange(root.Version, root.Expires, targets?.Version, targets?.Expires, true, targetsBytes is not null);
    }

    private static IReadOnlyList<DelegationSpec> CurrentDelegations(HubTrust state)
    {
        try
        {
            return state.Targets is null ? [] : TrustDocuments.Delegations(state.Targets);
        }
        catch (TrustFormatException ex)
        {
            throw new CliFailure($"the current targets.json of '{state.Product}' cannot be edited here: {ex.Message}");
        }
    }

    private static byte[] SignTargets(RootMetadata root, TargetsMetadata? current, long version, IReadOnlyList<DelegationSpec> delegations, DateTimeOffset expires, IReadOnlyList<SigningKey> keys)
    {
        var bytes = SignedEnvelope.Sign(TrustDocuments.Targets(version, expires, delegations), keys);
        Expect(TrustVerifier.VerifyTargets(bytes, root, current, DateTimeOffset.UtcNow), $"targets.json v{version}");
        return bytes;
    }

    private async Task PutAsync(string file, byte[] bytes, string what, CancellationToken ct) =>
        await hub.SendBytesAsync(HttpMethod.Put, $"{Api}/{file}", bytes, what, ct);

    /// <summary>What was just signed must verify as a device would check it; if not, nothing is sent.</summary>
    private static T Expect<T>(TrustResult<T> result, string what)
        where T : class =>
        result.IsValid ? result.Value! : throw new CliFailure($"{what} as signed here does not verify ({result.Failure}: {result.Message}); nothing was sent to the hub");

    private static List<SigningKey> Distinct(IEnumerable<SigningKey> keys, string option)
    {
        var list = keys.ToList();
        var dup = list.GroupBy(k => k.KeyId).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
        {
            throw new CliFailure($"{option} names the same key ({dup.Key}) twice; each key counts once");
        }

        return list;
    }

    /// <summary>Firmware-signing keys (in keys/, mode-checked) whose extra signature on a root lets tanks provisioned
    /// before TUF take it as their first root (<c>TrustedMetadata.Adopt</c>); TUF clients ignore a signature by a key
    /// the root does not list. A root key named here is a mistake: it signs anyway.</summary>
    private static List<SigningKey> LegacyEndorsers(IReadOnlyList<string> names, IReadOnlyList<SigningKey> rootSigners)
    {
        var keys = Distinct(names.Select(n => KeyFiles.LoadPrivate(n)), "--legacy-key");
        if (keys.FirstOrDefault(k => rootSigners.Any(r => r.KeyId == k.KeyId)) is { } both)
        {
            throw new CliFailure($"--legacy-key {both.KeyId} is a root key of this root already; name the product signing key that tanks trust in trusted-keys/ (e.g. 'release')");
        }

        if (keys.Count > 0)
        {
            Console.Error.WriteLine($"  endorsed by legacy signing key(s) {string.Join(", ", keys.Select(k => k.KeyId))}: tanks provisioned before TUF adopt this root");
        }

        return keys;
    }
}
