namespace Fleet.Cli.Keys;

/// <summary>One line of <c>fleet keys list</c>.</summary>
internal sealed record KeyRow(string Name, string? KeyId, bool HasPrivate, string? PublicKeyPath, string? Problem);
