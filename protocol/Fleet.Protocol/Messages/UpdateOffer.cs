namespace Fleet.Protocol.Messages;

/// <summary>Args of the <c>update</c> command: the exact manifest.json bytes (base64) and the manifest.sig text,
/// so the device verifies the very bytes that were signed before it downloads anything.</summary>
public sealed record UpdateOffer(string ManifestBase64, string Signatures, int ChunkCount);
