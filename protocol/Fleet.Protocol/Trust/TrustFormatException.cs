namespace Fleet.Protocol.Trust;

/// <summary>Metadata that cannot be read or written as TUF canonical JSON. Verification turns it into
/// <see cref="TrustFailure.Malformed"/>; it never escapes <see cref="TrustVerifier"/>.</summary>
public sealed class TrustFormatException(string message) : Exception(message);
