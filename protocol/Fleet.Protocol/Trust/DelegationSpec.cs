using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Trust;

/// <summary>One scope's delegated role being written: its keys, threshold and the scope it covers.</summary>
public sealed record DelegationSpec(TrustScope Scope, IReadOnlyList<VerifyingKey> Keys, int Threshold = 1);
