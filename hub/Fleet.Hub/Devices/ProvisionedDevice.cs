namespace Fleet.Hub.Devices;

/// <summary>What a newly provisioned device needs besides its private key (which never left the CLI's machine).
/// <see cref="TrustRoot"/> and <see cref="TrustTargets"/> are the product's current root.json and targets.json
/// (exact bytes, base64), or null while it has no TUF metadata; the CLI writes them to <c>provisioning/trust/</c>.</summary>
internal sealed record ProvisionedDevice(
    string Serial,
    string Product,
    IReadOnlyList<string> Tags,
    string CertificatePem,
    string CaCertificatePem,
    string MqttHost,
    int MqttPort,
    IReadOnlyList<TrustedKey> TrustedKeys,
    string? TrustRoot,
    string? TrustTargets);
