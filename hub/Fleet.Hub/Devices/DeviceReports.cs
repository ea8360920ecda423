using Fleet.Protocol.Messages;

namespace Fleet.Hub.Devices;

/// <summary>The Devices facade for what a device reports: the registry stores it, then the contexts that subscribe
/// hear of it (<see cref="IDeviceStatusListener"/>, <see cref="IDeviceUpdateListener"/>), in registration order.</summary>
internal sealed class DeviceReports(DeviceRegistry registry, IEnumerable<IDeviceStatusListener> statusListeners, IEnumerable<IDeviceUpdateListener> updateListeners)
{
    private readonly IDeviceStatusListener[] _status = [.. statusListeners];
    private readonly IDeviceUpdateListener[] _updates = [.. updateListeners];

    public async Task StatusAsync(string serial, StatusMessage status, CancellationToken ct)
    {
        await registry.ReportStatusAsync(serial, status, ct);
        foreach (var listener in _status)
        {
            await listener.OnStatusAsync(serial, status, ct);
        }
    }

    public async Task EventAsync(string serial, DeviceEvent e, CancellationToken ct)
    {
        await registry.RecordEventAsync(serial, e, ct);
        if (e.Kind != EventKinds.Update)
        {
            return;
        }

        foreach (var listener in _updates)
        {
            await listener.OnUpdateEventAsync(serial, e, ct);
        }
    }
}
