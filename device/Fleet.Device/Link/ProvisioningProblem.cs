namespace Fleet.Device.Link;

/// <summary>Why the link cannot start. The agent keeps the tank running and spooling, and says what to fix.</summary>
public enum ProvisioningProblem
{
    None,
    MissingFile,
    KeyReadableByOthers,
    InvalidCertificate,
    InvalidHubEndpoint,
    NoSerial,
}
