namespace Fleet.Protocol.Bundles;

/// <summary>A write-only stream that gathers writes into 1 MiB blocks, hashes each block (chunks here, the whole
/// payload on a second thread) and forwards it to the ZIP entry.</summary>
internal sealed class HashingWriteStream(Stream inner, IProgress<long>? progress) : Stream
{
    private readonly PayloadDigest _digest = new(expected: null);
    private byte[]? _block;
    private int _filled;
    private PayloadInfo? _result;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _digest.Total + _filled; set => throw new NotSupportedException(); }

    public PayloadInfo Complete()
    {
        FlushBlock();
        var sha = _digest.Finish();
        _result = new PayloadInfo(_digest.Total, sha, [.. _digest.Chunks]);
        return _result;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            _block ??= _digest.Rent();
            var take = Math.Min(_block.Length - _filled, buffer.Length);
            buffer[..take].CopyTo(_block.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
            if (_filled == _block.Length)
            {
                FlushBlock();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _digest.Dispose();
        }

        base.Dispose(disposing);
    }

    private void FlushBlock()
    {
        if (_block is null || _filled == 0)
        {
            return;
        }

        // Forward before handing the block to the digest: after Submit the second thread owns it.
        inner.Write(_block, 0, _filled);
        _digest.Submit(_block, _filled);
        _block = null;
        _filled = 0;
        progress?.Report(_digest.Total);
    }
}
