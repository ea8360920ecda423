namespace Fleet.Protocol.Messages;

/// <summary>The device's answer, published to the command's response topic with its correlation data.</summary>
public sealed record CommandResponse(bool Ok, string? Error = null, string? Detail = null);
