namespace Fleet.Protocol.Bundles;

/// <summary>The manifest's <c>payload</c>: total size, lowercase hex SHA-256 of all bytes, and the chunk list in order.</summary>
public sealed record PayloadInfo(long Size, string Sha256, IReadOnlyList<PayloadChunk> Chunks)
{
    /// <summary>Where chunk <paramref name="index"/> starts in the payload.</summary>
    public long OffsetOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Chunks.Count);
        long offset = 0;
        for (var i = 0; i < index; i++)
        {
            offset += Chunks[i].Size;
        }

        return offset;
    }
}
