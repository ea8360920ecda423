namespace Fleet.Hub.Devices;

/// <summary>A message a device published under its own subtree, already checked by the broker's ACL.</summary>
internal sealed record InboundMessage(string Serial, string Kind, ReadOnlyMemory<byte> Payload, byte[]? Correlation, string? ResponseTopic);
