namespace Fleet.Protocol.Trust;

/// <summary>The keys a role trusts and how many of them must sign.</summary>
public sealed record RoleKeys(IReadOnlyList<string> KeyIds, int Threshold);
