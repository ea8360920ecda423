using Fleet.Protocol.Messages;

namespace Fleet.Hub.Devices;

/// <summary>Told after a device's update event was stored (staged, committed, failed, rolled back…). The Devices
/// context announces; Rollouts subscribes, so Devices does not depend on it.</summary>
internal interface IDeviceUpdateListener
{
    Task OnUpdateEventAsync(string serial, DeviceEvent e, CancellationToken ct);
}
