namespace Fleet.Cli.Hub;

/// <summary>What the hub answered when it registered a device: where the device will connect, and how many firmware
/// signing keys it was given to trust.</summary>
internal sealed record ProvisionedDevice(string MqttHost, string MqttPort, int TrustedKeys);
