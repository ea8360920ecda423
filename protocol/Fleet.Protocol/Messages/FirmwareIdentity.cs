namespace Fleet.Protocol.Messages;

/// <summary>What a device runs: the uuid and version from the active slot's manifest.</summary>
public sealed record FirmwareIdentity(string Uuid, string Version, string? Product = null, string? Platform = null, string? Architecture = null);
