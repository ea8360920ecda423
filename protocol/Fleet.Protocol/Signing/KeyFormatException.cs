namespace Fleet.Protocol.Signing;

/// <summary>A key file that is not an Ed25519 key in a form we read. The message says what was found and what is expected.</summary>
public sealed class KeyFormatException(string message) : Exception(message);
