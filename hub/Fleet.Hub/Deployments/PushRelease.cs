using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;

namespace Fleet.Hub.Deployments;

/// <summary>A one-device push that passed the release rules: the device and the firmware resolved for it.</summary>
internal sealed record PushRelease(Device Device, FirmwareRecord Firmware);
