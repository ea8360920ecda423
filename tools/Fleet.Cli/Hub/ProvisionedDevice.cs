namespace Fleet.Cli.Hub;

/// <summary>What the hub answered when it registered a device: where the device will connect, and how many firmware
/// signing keys it was given to trust, and whether it got the product's TUF metadata (trust/).</summary>
internal sealed record ProvisionedDevice(string MqttHost, string MqttPort, int TrustedKeys, bool HasTrustMetadata);
