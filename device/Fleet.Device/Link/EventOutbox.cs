using System.Threading.Channels;
using Fleet.Device.Sensors;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Link;

/// <summary>Events waiting for the link, in memory and bounded (oldest dropped): a device offline for days keeps
/// its telemetry in the disk spool, but only the last <see cref="Capacity"/> events.</summary>
public sealed class EventOutbox : IDeviceEvents
{
    public const int Capacity = 1000;

    private readonly Channel<DeviceEvent> _queue = Channel.CreateBounded<DeviceEvent>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    public event Action? Queued;

    public ChannelReader<DeviceEvent> Reader => _queue.Reader;

    public void Publish(DeviceEvent deviceEvent)
    {
        _queue.Writer.TryWrite(deviceEvent);
        Queued?.Invoke();
    }
}
