namespace Fleet.Protocol.Trust;

/// <summary>Why firmware was allowed: the delegated role (scope) and the Fleet key ids that signed for it.</summary>
public sealed record FirmwareAuthorization(string Role, IReadOnlyList<string> KeyIds);
