using System.Text;
using Fleet.Hub.Hosting;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Hub.Firmware;

/// <summary>One product's answer to "does the scope of the key that signed this firmware cover this device or
/// group", built once and asked many times. Both sources feed the same function, <see cref="TrustedMetadata.Authorize"/>:
/// the product's TUF targets when it has them, otherwise a TUF view of the registered keys' group bindings
/// (<c>fleet keys register --group</c>: one <c>group:NAME</c> scope per bound group, <c>any</c> for an unbound key),
/// signed in memory by a throwaway key. So the hub refuses exactly what a device holding that metadata would.</summary>
internal sealed class SignerScopes
{
    private readonly TrustResult<TrustedMetadata> _trust;
    private readonly IReadOnlyDictionary<string, string> _names;

    // The manifest's valid signers per firmware uuid: the same for every device, so verified once per build.
    private readonly Dictionary<string, IReadOnlyList<string>> _signers = new(StringComparer.Ordinal);

    private SignerScopes(string product, TrustResult<TrustedMetadata> trust, IReadOnlyDictionary<string, string> names, string source)
    {
        Product = product;
        _trust = trust;
        _names = names;
        Source = source;
    }

    public string Product { get; }

    /// <summary>"targets v3" or "registered keys": which rules decided, for messages and the audit.</summary>
    public string Source { get; }

    public static SignerScopes FromTargets(string product, TrustResult<TrustedMetadata> trust, IEnumerable<RegisteredKey> keys) =>
        new(product, trust, Names(keys), trust.IsValid ? $"targets v{trust.Value!.Targets.Version}" : "stored trust metadata");

    public static SignerScopes FromRegisteredKeys(string product, IEnumerable<RegisteredKey> registered, DateTimeOffset now)
    {
        var keys = registered.ToList();
        var delegations = new Dictionary<TrustScope, List<VerifyingKey>>();
        foreach (var key in keys.Where(k => k.RevokedAt is null))
        {
            var scopes = key.AllowedGroups.Count == 0
                ? [TrustScope.AnyDevice]
                : key.AllowedGroups.Select(g => TrustScope.TryParse($"{TrustScope.Group}:{g}", out var s, out _) ? s : null).OfType<TrustScope>().ToList();
            foreach (var scope in scopes)
            {
                if (!delegations.TryGetValue(scope, out var list))
                {
                    delegations[scope] = list = [];
                }

                list.Add(VerifyingKey.FromPem(key.PublicKeyPem, key.Name));
            }
        }

        var signer = SigningKey.Generate();
        var role = new RoleSpec([signer.PublicKey], 1);
        var expires = now.AddYears(100);
        var root = SignedEnvelope.Sign(TrustDocuments.Root(product, 1, expires, role, role, role, role), [signer]);
        var targets = SignedEnvelope.Sign(TrustDocuments.Targets(1, expires, delegations.Select(d => new DelegationSpec(d.Key, d.Value))), [signer]);
        return new SignerScopes(product, TrustedMetadata.Load(root, targets), Names(keys), "registered keys");
    }

    /// <summary>Null when <paramref name="firmware"/> may go to <paramref name="scope"/>; otherwise a refusal that
    /// names the signing key(s), their scope and the device or group (<paramref name="where"/>).</summary>
    public Failure? Check(FirmwareRecord firmware, FirmwareScope scope, string where, string code, DateTimeOffset now)
    {
        if (!_trust.IsValid)
        {
            return new Failure(FailureKind.Forbidden, "trust_metadata_invalid",
                $"firmware {firmware.Version} ({firmware.Uuid}) is not offered to {where}: the product's stored trust metadata does not load ({_trust.Failure}: {_trust.Message})");
        }

        var trust = _trust.Value!;
        if (!_signers.TryGetValue(firmware.Uuid, out var signers))
        {
            var verdict = BundleVerifier.VerifyManifest(firmware.Manifest, Encoding.UTF8.GetBytes(firmware.Signatures), new VerificationPolicy(trust.Targets.SigningKeys()));
            _signers[firmware.Uuid] = signers = verdict.IsValid ? verdict.TrustedSigners : [];
        }

        var decision = trust.Authorize(signers, scope, now);
        if (decision.IsValid)
        {
            return null;
        }

        var kind = decision.Failure == TrustFailure.OutOfScope ? code : decision.Failure == TrustFailure.Expired ? "trust_expired" : "key_not_trusted";
        return new Failure(FailureKind.Forbidden, kind,
            $"firmware {firmware.Version} ({firmware.Uuid}) may not ship to {where} under the {Source} ({decision.Failure}): {Name(decision.Message)}");
    }

    /// <summary>The keys whose scope covers group <paramref name="group"/> without covering every device: for them the
    /// group's targeting decides which devices they reach (a device learns its groups from the hub). Null when the
    /// stored metadata does not load, so the caller cannot tell and refuses.</summary>
    public IReadOnlyList<string>? KeysScopedToGroup(string group)
    {
        if (!_trust.IsValid)
        {
            return null;
        }

        var trust = _trust.Value!;
        var inGroup = new FirmwareScope(Product, "0.0.0", GroupReleaseProbe, group, []);
        var anywhere = new FirmwareScope(Product, "0.0.0", GroupReleaseProbe, null, []);
        return [.. trust.Targets.Delegations.Where(r => r.Covers(inGroup) && !r.Covers(anywhere))
            .SelectMany(r => r.Keys.KeyIds).Select(id => trust.Targets.DelegationKeys[id].FleetKeyId).Distinct(StringComparer.Ordinal)
            .Select(id => _names.TryGetValue(id, out var name) ? $"'{name}' ({id})" : id)];
    }

    /// <summary>A serial no device has (serials are names, which never hold parentheses): only "any" patterns match it.</summary>
    private const string GroupReleaseProbe = "(probe)";

    /// <summary>Checks a downgrade permit as far as the hub can without a device: well-formed, for this firmware and
    /// product, unexpired, and signed by a key these rules trust. Scope is the device's to check (null = accepted).</summary>
    public TrustResult<DowngradePermit> VerifyPermit(byte[] json, FirmwareRecord firmware, string replaces, DateTimeOffset now)
    {
        if (!_trust.IsValid)
        {
            return _trust.As<DowngradePermit>();
        }

        var scope = new FirmwareScope(Product, firmware.Version, "(any device)", null, []);
        var verdict = DowngradePermits.Verify(json, _trust.Value!, scope, firmware.Uuid, replaces, now);
        return verdict.Failure == TrustFailure.OutOfScope ? TrustResult<DowngradePermit>.Ok(new DowngradePermit(Product, firmware.Uuid, firmware.Version, [replaces], now), verdict.Message) : verdict;
    }

    /// <summary>Key ids in a message become "name (id)" where the hub knows the key by a registered name.</summary>
    private string Name(string message)
    {
        foreach (var (id, name) in _names)
        {
            message = message.Replace(id, $"'{name}' ({id})", StringComparison.Ordinal);
        }

        return message;
    }

    private static Dictionary<string, string> Names(IEnumerable<RegisteredKey> keys) =>
        keys.GroupBy(k => k.KeyId).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
}
