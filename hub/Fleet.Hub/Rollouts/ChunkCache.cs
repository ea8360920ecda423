using System.Collections.Concurrent;

namespace Fleet.Hub.Rollouts;

/// <summary>Recently served firmware chunks, shared by every device fetching the same payload. In a fan-out the devices
/// move through the payload at about the same pace, so each chunk is read from the blob and allocated once instead of
/// once per device (100 devices × 50 MiB was 5 GiB of short-lived arrays). Blobs are content-addressed, so a chunk of a
/// given payload hash never changes; the arrays are only ever read (the broker may send one to many devices at once).
/// Bounded by bytes, oldest first out.</summary>
internal sealed class ChunkCache(long budgetBytes)
{
    /// <summary>Enough for a window of every device in a large fan-out, small next to the hub's other memory.</summary>
    public const long DefaultBudgetBytes = 32L * 1024 * 1024;

    private readonly ConcurrentDictionary<(string Sha256, int Index), byte[]> _chunks = new();
    private readonly ConcurrentQueue<(string Sha256, int Index)> _order = new();
    private long _bytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The chunk's bytes, read with <paramref name="read"/> only when no device asked for it recently.</summary>
    public byte[] GetOrRead(string sha256, int index, Func<byte[]> read)
    {
        var key = (sha256, index);
        if (_chunks.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var data = read();
        if (!_chunks.TryAdd(key, data))
        {
            // Another device's request read it at the same moment; both copies hold the same bytes.
            return data;
        }

        _order.Enqueue(key);
        if (Interlocked.Add(ref _bytes, data.Length) > budgetBytes)
        {
            Evict();
        }

        return data;
    }

    private void Evict()
    {
        while (Interlocked.Read(ref _bytes) > budgetBytes && _order.TryDequeue(out var oldest))
        {
            if (_chunks.TryRemove(oldest, out var gone))
            {
                Interlocked.Add(ref _bytes, -gone.Length);
            }
        }
    }
}
