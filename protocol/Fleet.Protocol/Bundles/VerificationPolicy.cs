using Fleet.Protocol.Signing;
using Semver;

namespace Fleet.Protocol.Bundles;

/// <summary>What a verifier requires. An empty <see cref="TrustedKeys"/> trusts nobody (fail closed).
/// Null expectations are not checked; <see cref="InstalledVersion"/> enables anti-downgrade.</summary>
public sealed record VerificationPolicy
{
    public VerificationPolicy(IEnumerable<VerifyingKey> trustedKeys)
    {
        TrustedKeys = [.. trustedKeys];
    }

    public IReadOnlyList<VerifyingKey> TrustedKeys { get; init; }

    public string? Product { get; init; }

    public string? Platform { get; init; }

    public string? Architecture { get; init; }

    /// <summary>The device's installed version: a lower manifest version is refused unless it is signed with allowDowngrade.</summary>
    public SemVersion? InstalledVersion { get; init; }

    public BundleLimits Limits { get; init; } = BundleLimits.Default;
}
