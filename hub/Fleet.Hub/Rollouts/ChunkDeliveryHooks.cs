using System.Collections.Concurrent;

namespace Fleet.Hub.Rollouts;

/// <summary>Fault injection for the end-to-end tests, off unless an environment variable turns it on (never set in
/// production): <c>FLEET_TEST_CORRUPT_CHUNKS=3,7</c> flips a byte in the first delivery of those chunk indexes to each
/// device, <c>FLEET_TEST_CHUNK_DELAY_MS=N</c> waits N ms before each chunk so a test can stop an agent mid-download.</summary>
internal sealed class ChunkDeliveryHooks
{
    private readonly HashSet<int> _corrupt;
    private readonly ConcurrentDictionary<(string Serial, string Uuid, int Index), bool> _corrupted = new();

    public ChunkDeliveryHooks(IReadOnlyCollection<int> corrupt, TimeSpan delay)
    {
        _corrupt = [.. corrupt];
        Delay = delay;
    }

    public TimeSpan Delay { get; }

    public bool Active => _corrupt.Count > 0 || Delay > TimeSpan.Zero;

    public static ChunkDeliveryHooks FromEnvironment()
    {
        var corrupt = (Environment.GetEnvironmentVariable("FLEET_TEST_CORRUPT_CHUNKS") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var i) ? i : -1).Where(i => i >= 0).ToList();
        var delay = int.TryParse(Environment.GetEnvironmentVariable("FLEET_TEST_CHUNK_DELAY_MS"), out var ms) && ms > 0 ? ms : 0;
        return new ChunkDeliveryHooks(corrupt, TimeSpan.FromMilliseconds(delay));
    }

    /// <summary>Damages <paramref name="chunk"/> in place when this is the first delivery of a chunk marked for it.</summary>
    public bool MaybeCorrupt(string serial, string uuid, int index, Span<byte> chunk)
    {
        if (chunk.Length == 0 || !_corrupt.Contains(index) || !_corrupted.TryAdd((serial, uuid, index), true))
        {
            return false;
        }

        chunk[chunk.Length / 2] ^= 0xFF;
        return true;
    }
}
