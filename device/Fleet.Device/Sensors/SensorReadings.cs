using System.Collections.Concurrent;
using System.Threading.Channels;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Sensors;

/// <summary>The latest good value of each sensor (for the tank machine) and the stream of every reading (for
/// telemetry). A failed read removes the sensor's latest value at once, and values older than the freshness
/// window are treated as absent: nothing downstream ever acts on a stale value.</summary>
public sealed class SensorReadings
{
    private readonly ConcurrentDictionary<string, Reading> _latest = new();
    private readonly Channel<Reading> _stream = Channel.CreateBounded<Reading>(new BoundedChannelOptions(4096)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    public ChannelReader<Reading> Stream => _stream.Reader;

    /// <summary>Every accepted reading, on the sensor loop's thread (the health checks judge each one).</summary>
    public event Action<Reading>? Accepted;

    /// <summary>A sensor's value was dropped after a failed read, with the reason.</summary>
    public event Action<string, string?>? Invalidated;

    public void Accept(Reading reading)
    {
        _latest[reading.Sensor] = reading;
        _stream.Writer.TryWrite(reading);
        Accepted?.Invoke(reading);
    }

    public void Invalidate(string sensor, string? reason = null)
    {
        _latest.TryRemove(sensor, out _);
        Invalidated?.Invoke(sensor, reason);
    }

    /// <summary>The sensor's value if it was read within <paramref name="maxAge"/> of <paramref name="now"/>.</summary>
    public bool TryGetFresh(string sensor, DateTimeOffset now, TimeSpan maxAge, out double value)
    {
        if (_latest.TryGetValue(sensor, out var r) && now - r.Ts <= maxAge && r.Ts <= now + maxAge)
        {
            value = r.Value;
            return true;
        }

        value = double.NaN;
        return false;
    }
}
