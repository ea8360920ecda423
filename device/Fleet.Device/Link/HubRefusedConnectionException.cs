namespace Fleet.Device.Link;

/// <summary>The hub answered CONNACK with a failure code (unknown or revoked device, client id mismatch).</summary>
public sealed class HubRefusedConnectionException(string message) : Exception(message);
