using Fleet.Hub.Hosting;

namespace Fleet.Hub.Broker;

/// <summary>A read-side view of an MQTT byte stream that follows the packet framing (fixed header byte, variable
/// length "remaining length", body) and fails the read as soon as a header announces a body larger than the limit,
/// before any of that body is read or buffered. Writes pass through.</summary>
internal sealed class PacketSizeGuard(Stream inner, int maxPacketBytes) : Stream
{
    private enum Part
    {
        Header,
        Length,
        Body,
    }

    private Part _part = Part.Header;
    private long _length;
    private int _lengthBytes;
    private long _multiplier = 1;
    private long _remaining;

    /// <summary>Set once a packet too large was announced.</summary>
    public long? Refused { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Inspect(buffer.AsSpan(offset, n));
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Inspect(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Inspect(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_part)
            {
                case Part.Header:
                    _part = Part.Length;
                    _length = 0;
                    _lengthBytes = 0;
                    _multiplier = 1;
                    i++;
                    break;
                case Part.Length:
                    var b = data[i++];
                    _length += (b & 0x7F) * _multiplier;
                    _multiplier *= 128;
                    _lengthBytes++;
                    if ((b & 0x80) != 0)
                    {
                        if (_lengthBytes == 4)
                        {
                            throw new IOException("malformed MQTT remaining length");
                        }

                        break;
                    }

                    // The whole packet: header byte, length bytes, body.
                    if (1 + _lengthBytes + _length > maxPacketBytes)
                    {
                        Refused = _length;
                        HubMetrics.MessagesDropped.WithLabels("packet_too_large").Inc();
                        throw new IOException($"MQTT packet of {_length} bytes refused: at most {maxPacketBytes} bytes");
                    }

                    _remaining = _length;
                    _part = _remaining > 0 ? Part.Body : Part.Header;
                    break;
                default:
                    var take = (int)Math.Min(_remaining, data.Length - i);
                    i += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _part = Part.Header;
                    }

                    break;
            }
        }
    }
}
