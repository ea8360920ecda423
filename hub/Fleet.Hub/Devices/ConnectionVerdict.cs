namespace Fleet.Hub.Devices;

/// <summary>Why the registry accepts or refuses a device's MQTT connection.</summary>
internal enum ConnectionVerdict
{
    Accepted,
    UnknownSerial,
    Revoked,
    CertificateMismatch,
}
