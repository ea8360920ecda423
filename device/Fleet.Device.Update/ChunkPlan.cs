using System.Security.Cryptography;

namespace Fleet.Device.Update;

/// <summary>The payload's chunk layout, taken from a verified manifest: every byte written to the staging file
/// is checked against it first.</summary>
public sealed class ChunkPlan
{
    public ChunkPlan(IReadOnlyList<(int Size, byte[] Sha256)> chunks)
    {
        var specs = new List<ChunkSpec>(chunks.Count);
        long offset = 0;
        foreach (var (size, sha) in chunks)
        {
            specs.Add(new ChunkSpec(offset, size, sha));
            offset += size;
        }

        Chunks = specs;
        TotalSize = offset;
    }

    public IReadOnlyList<ChunkSpec> Chunks { get; }

    public int Count => Chunks.Count;

    public long TotalSize { get; }

    public bool Matches(int index, ReadOnlySpan<byte> data)
    {
        if ((uint)index >= (uint)Chunks.Count || data.Length != Chunks[index].Size)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return CryptographicOperations.FixedTimeEquals(hash, Chunks[index].Sha256);
    }
}
