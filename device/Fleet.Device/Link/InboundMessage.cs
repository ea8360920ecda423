namespace Fleet.Device.Link;

/// <summary>A message the hub sent on one of the device's subscribed topics. <see cref="Kind"/> is the topic below
/// <c>fleet/v1/{serial}/</c>, e.g. <c>fw/chunk/{uuid}</c>.</summary>
public sealed record InboundMessage(string Kind, byte[] Payload, IReadOnlyDictionary<string, string> UserProperties);
