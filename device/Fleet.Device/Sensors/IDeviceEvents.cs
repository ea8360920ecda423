using Fleet.Protocol.Messages;

namespace Fleet.Device.Sensors;

/// <summary>Where anything in the agent reports a <see cref="DeviceEvent"/> (tank transitions, sensor faults,
/// command handling, update progress). The link publishes them on <c>events</c> at QoS 1 when connected;
/// never blocks the caller.</summary>
public interface IDeviceEvents
{
    void Publish(DeviceEvent deviceEvent);
}
