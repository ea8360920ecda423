namespace Fleet.Protocol.Trust;

/// <summary>One entry of a TUF envelope's <c>signatures</c>: the signer's key id and the Ed25519 signature in hex.</summary>
public sealed record TufSignature(string KeyId, string Sig);
