using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Fleet.Protocol.Bundles;

/// <summary>Hashes a payload stream in 1 MiB buffers: chunk hashes on the caller's thread, the whole-payload
/// SHA-256 on a second thread at the same time, so verifying costs one SHA-256 pass of wall time, not two.
/// Memory is a fixed pool of buffers whatever the payload size.</summary>
internal sealed class PayloadDigest : IDisposable
{
    public const int BufferSize = 1 << 20;
    private const int PoolSize = 4;

    private readonly IReadOnlyList<PayloadChunk>? _expected;
    private readonly int _chunkSize;
    private readonly List<PayloadChunk> _chunks = [];
    private readonly IncrementalHash _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _fullHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly BlockingCollection<byte[]> _free = new(PoolSize);
    private readonly BlockingCollection<(byte[] Buffer, int Count)> _pending = new(PoolSize);
    private readonly Thread _worker;
    private Exception? _workerFailure;
    private int _chunkIndex;
    private int _chunkFilled;
    private long _total;

    /// <summary>With <paramref name="expected"/>, each chunk is compared as soon as it completes;
    /// without, chunks of <paramref name="chunkSize"/> are recorded (bundle creation).</summary>
    public PayloadDigest(IReadOnlyList<PayloadChunk>? expected, int chunkSize = BundleEntries.ChunkSize)
    {
        _expected = expected;
        _chunkSize = chunkSize;
        for (var i = 0; i < PoolSize; i++)
        {
            _free.Add(new byte[BufferSize]);
        }

        _worker = new Thread(HashWhole) { IsBackground = true, Name = "payload sha256" };
        _worker.Start();
    }

    /// <summary>Index of the first chunk whose bytes differ, or -1.</summary>
    public int MismatchedChunk { get; private set; } = -1;

    public long Total => _total;

    public IReadOnlyList<PayloadChunk> Chunks => _chunks;

    /// <summary>A free buffer; blocks while all are being hashed by the second thread.</summary>
    public byte[] Rent() => _free.Take();

    /// <summary>Hands over <paramref name="buffer"/> (from <see cref="Rent"/>) holding <paramref name="count"/> bytes.
    /// Returns false at the first chunk that differs from the expected hashes, or when there are more bytes than chunks.</summary>
    public bool Submit(byte[] buffer, int count)
    {
        var ok = HashChunks(buffer.AsSpan(0, count));
        _total += count;
        _pending.Add((buffer, count));
        return ok;
    }

    /// <summary>Waits for the second thread and returns the whole-payload hash (lowercase hex). Also closes the
    /// last partial chunk when creating.</summary>
    public string Finish()
    {
        _pending.CompleteAdding();
        _worker.Join();
        if (_workerFailure is not null)
        {
            throw new CryptographicException("payload hashing failed", _workerFailure);
        }

        if (_expected is null && _chunkFilled > 0)
        {
            CloseChunk(_chunkHash.GetHashAndReset(), _chunkFilled);
        }

        return Convert.ToHexStringLower(_fullHash.GetHashAndReset());
    }

    /// <summary>True when every expected chunk was seen completely.</summary>
    public bool AllChunksSeen => _expected is not null && _chunkIndex == _expected.Count && _chunkFilled == 0;

    public void Dispose()
    {
        if (!_pending.IsAddingCompleted)
        {
            _pending.CompleteAdding();
        }

        _worker.Join();
        _chunkHash.Dispose();
        _fullHash.Dispose();
        _free.Dispose();
        _pending.Dispose();
    }

    private bool HashChunks(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        while (!data.IsEmpty)
        {
            int target;
            if (_expected is not null)
            {
                if (_chunkIndex >= _expected.Count)
                {
                    MismatchedChunk = _chunkIndex;
                    return false;
                }

                target = _expected[_chunkIndex].Size;
            }
            else
            {
                target = _chunkSize;
            }

            var take = Math.Min(target - _chunkFilled, data.Length);
            if (_chunkFilled == 0 && take == target)
            {
                // Whole chunk in this buffer: one-shot hashing avoids the incremental state copies.
                SHA256.HashData(data[..take], hash);
                if (!CloseChunk(hash, target))
                {
                    return false;
                }
            }
            else
            {
                _chunkHash.AppendData(data[..take]);
                _chunkFilled += take;
                if (_chunkFilled == target)
                {
                    _chunkHash.GetHashAndReset(hash);
                    _chunkFilled = 0;
                    if (!CloseChunk(hash, target))
                    {
                        return false;
                    }
                }
            }

            data = data[take..];
        }

        return true;
    }

    private bool CloseChunk(ReadOnlySpan<byte> hash, int size)
    {
        _chunkFilled = 0;
        if (_expected is null)
        {
            _chunks.Add(new PayloadChunk(size, Convert.ToHexStringLower(hash)));
            _chunkIndex++;
            return true;
        }

        Span<byte> expected = stackalloc byte[32];
        Convert.FromHexString(_expected[_chunkIndex].Sha256, expected, out _, out _);
        if (!CryptographicOperations.FixedTimeEquals(hash, expected))
        {
            MismatchedChunk = _chunkIndex;
            return false;
        }

        _chunkIndex++;
        return true;
    }

    private void HashWhole()
    {
        try
        {
            foreach (var (buffer, count) in _pending.GetConsumingEnumerable())
            {
                _fullHash.AppendData(buffer, 0, count);
                _free.Add(buffer);
            }
        }
        catch (Exception ex)
        {
            _workerFailure = ex;
        }
    }
}
