using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Trust;

/// <summary>Keys and threshold for a role being written (the writing side of <see cref="RoleKeys"/>).</summary>
public sealed record RoleSpec(IReadOnlyList<VerifyingKey> Keys, int Threshold);
