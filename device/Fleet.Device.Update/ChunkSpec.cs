namespace Fleet.Device.Update;

/// <summary>One chunk of the payload as the signed manifest describes it.</summary>
public sealed record ChunkSpec(long Offset, int Size, byte[] Sha256);
