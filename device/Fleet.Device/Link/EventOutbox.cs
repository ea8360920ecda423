using System.Threading.Channels;
using Fleet.Device.Sensors;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;

namespace Fleet.Device.Link;

/// <summary>Events waiting for the link, in memory and bounded (oldest dropped): a device offline for days keeps
/// its telemetry in the disk spool, but only the last <see cref="Capacity"/> events. A detail or reason longer than
/// the protocol allows (an exception message, say) is cut to <see cref="InboundLimits.MaxEventTextLength"/>, since the
/// hub drops an event over the limit whole.</summary>
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
        _queue.Writer.TryWrite(deviceEvent with { Detail = Clip(deviceEvent.Detail), Reason = Clip(deviceEvent.Reason) });
        Queued?.Invoke();
    }

    private static string? Clip(string? text) =>
        text is null || text.Length <= InboundLimits.MaxEventTextLength ? text : string.Concat(text.AsSpan(0, InboundLimits.MaxEventTextLength - 1), "…");
}
