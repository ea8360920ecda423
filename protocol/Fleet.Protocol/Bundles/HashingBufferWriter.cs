using System.Buffers;
using System.Security.Cryptography;

namespace Fleet.Protocol.Bundles;

/// <summary>An <see cref="IBufferWriter{T}"/> that SHA-256-hashes what is written through a small fixed buffer.</summary>
internal sealed class HashingBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer = new byte[16 * 1024];
    private int _filled;

    public void Advance(int count) => _filled += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_filled);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_filled);
    }

    public void GetHash(Span<byte> destination)
    {
        Drain();
        _hash.GetHashAndReset(destination);
    }

    public void Dispose() => _hash.Dispose();

    private void Reserve(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _filled >= sizeHint)
        {
            return;
        }

        Drain();
        if (_buffer.Length < sizeHint)
        {
            _buffer = new byte[sizeHint];
        }
    }

    private void Drain()
    {
        _hash.AppendData(_buffer, 0, _filled);
        _filled = 0;
    }
}
