namespace Fleet.Protocol.Bundles;

/// <summary>One chunk of the payload: its length and lowercase hex SHA-256. Sizes are explicit so
/// content-defined chunking can come later without a format change.</summary>
public sealed record PayloadChunk(int Size, string Sha256);
