using System.Collections.Concurrent;
using Fleet.Device.Sensors;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Tests;

internal sealed class RecordingEvents : IDeviceEvents
{
    public ConcurrentQueue<DeviceEvent> All { get; } = new();

    public void Publish(DeviceEvent deviceEvent) => All.Enqueue(deviceEvent);

    public IReadOnlyList<DeviceEvent> Of(string kind, string name) => All.Where(e => e.Kind == kind && e.Name == name).ToList();
}
