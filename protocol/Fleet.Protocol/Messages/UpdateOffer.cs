namespace Fleet.Protocol.Messages;

/// <summary>Args of the <c>update</c> command: the exact manifest.json bytes (base64) and the manifest.sig text,
/// so the device verifies the very bytes that were signed before it downloads anything. <see cref="Group"/> names
/// the deployment group the offer comes from (null for a push to this device alone): the signing key's scope must
/// cover it. <see cref="PermitBase64"/> carries a signed downgrade permit when the release is below the device's
/// high-water mark.</summary>
public sealed record UpdateOffer(string ManifestBase64, string Signatures, int ChunkCount, string? Group = null, string? PermitBase64 = null);
