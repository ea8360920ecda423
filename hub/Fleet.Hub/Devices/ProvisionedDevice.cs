namespace Fleet.Hub.Devices;

/// <summary>What a newly provisioned device needs besides its private key (which never left the CLI's machine).</summary>
internal sealed record ProvisionedDevice(
    string Serial,
    string Product,
    IReadOnlyList<string> Tags,
    string CertificatePem,
    string CaCertificatePem,
    string MqttHost,
    int MqttPort,
    IReadOnlyList<TrustedKey> TrustedKeys);
