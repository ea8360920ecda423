namespace Fleet.Device.Update;

/// <summary>Which chunks of the staging file are written and verified, persisted so a download resumes after a
/// restart or power loss without fetching them again. The on-disk form is the count (4 bytes, little endian)
/// followed by one bit per chunk.</summary>
public sealed class ChunkBitmap
{
    private readonly byte[] _bits;

    public ChunkBitmap(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
        _bits = new byte[(count + 7) / 8];
    }

    public int Count { get; }

    public int Held { get; private set; }

    public bool IsComplete => Held == Count;

    public bool Has(int index) => (_bits[index >> 3] & (1 << (index & 7))) != 0;

    public void Set(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (!Has(index))
        {
            _bits[index >> 3] |= (byte)(1 << (index & 7));
            Held++;
        }
    }

    /// <summary>The first <paramref name="max"/> missing indexes at or after <paramref name="from"/>, wrapping.</summary>
    public IEnumerable<int> Missing(int max, int from = 0)
    {
        var found = 0;
        for (var n = 0; n < Count && found < max; n++)
        {
            var i = (from + n) % Count;
            if (!Has(i))
            {
                found++;
                yield return i;
            }
        }
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[4 + _bits.Length];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), Count);
        _bits.CopyTo(bytes, 4);
        return bytes;
    }

    /// <summary>Null when the file does not describe <paramref name="expectedCount"/> chunks: start again.</summary>
    public static ChunkBitmap? FromBytes(ReadOnlySpan<byte> bytes, int expectedCount)
    {
        if (bytes.Length < 4 || BitConverter.ToInt32(bytes[..4]) != expectedCount || bytes.Length != 4 + ((expectedCount + 7) / 8))
        {
            return null;
        }

        var map = new ChunkBitmap(expectedCount);
        for (var i = 0; i < expectedCount; i++)
        {
            if ((bytes[4 + (i >> 3)] & (1 << (i & 7))) != 0)
            {
                map.Set(i);
            }
        }

        return map;
    }
}
