using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Protocol.Tests.Trust;

/// <summary>A product's keys and metadata for tests: one root key (also signing targets), the hub's online key,
/// and firmware keys, from fixed seeds so failures reproduce.</summary>
internal sealed class TrustSample
{
    public static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public SigningKey RootKey { get; } = Key(1);

    public SigningKey OnlineKey { get; } = Key(2);

    public SigningKey Dev { get; } = Key(3);

    public SigningKey Release { get; } = Key(4);

    public string Product { get; init; } = "algae-tank";

    public static SigningKey Key(byte seed)
    {
        var bytes = new byte[32];
        bytes.AsSpan().Fill(seed);
        return SigningKey.FromSeed(bytes);
    }

    public byte[] Root(long version = 1, SigningKey? root = null, DateTimeOffset? expires = null, IEnumerable<SigningKey>? signers = null, string? product = null)
    {
        var key = root ?? RootKey;
        var signed = TrustDocuments.Root(product ?? Product, version, expires ?? Now.AddYears(1),
            new RoleSpec([key.PublicKey], 1), new RoleSpec([key.PublicKey], 1), new RoleSpec([OnlineKey.PublicKey], 1), new RoleSpec([OnlineKey.PublicKey], 1));
        return SignedEnvelope.Sign(signed, signers ?? [key]);
    }

    public byte[] Targets(long version, params DelegationSpec[] delegations) => Targets(version, Now.AddDays(90), [RootKey], delegations);

    public byte[] Targets(long version, DateTimeOffset expires, IEnumerable<SigningKey> signers, params DelegationSpec[] delegations) =>
        SignedEnvelope.Sign(TrustDocuments.Targets(version, expires, delegations), signers);

    public static DelegationSpec Scope(string scope, params SigningKey[] keys)
    {
        Assert.True(TrustScope.TryParse(scope, out var s, out var error), error);
        return new DelegationSpec(s, [.. keys.Select(k => k.PublicKey)]);
    }

    public TrustedMetadata Trusted(params DelegationSpec[] delegations)
    {
        var loaded = TrustedMetadata.Load(Root(), Targets(1, delegations));
        Assert.True(loaded.IsValid, loaded.Message);
        return loaded.Value!;
    }

    public FirmwareScope Device(string serial = "tank-0001", string? group = null, params string[] tags) =>
        new(Product, "1.2.0", serial, group, tags);
}
