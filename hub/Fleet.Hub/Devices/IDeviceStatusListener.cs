using Fleet.Protocol.Messages;

namespace Fleet.Hub.Devices;

/// <summary>Told after a device's status was stored (it connected, or reported a change). The Devices context
/// announces; other contexts subscribe, so Devices does not depend on them.</summary>
internal interface IDeviceStatusListener
{
    Task OnStatusAsync(string serial, StatusMessage status, CancellationToken ct);
}
