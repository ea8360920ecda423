namespace Fleet.Hub.Devices;

/// <summary>A product's public signing key as a device stores it (trusted-keys/NAME.pub).</summary>
internal sealed record TrustedKey(string Name, string KeyId, string PublicKeyPem);
