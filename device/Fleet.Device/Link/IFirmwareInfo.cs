using Fleet.Protocol.Messages;

namespace Fleet.Device.Link;

/// <summary>What the device runs, for the retained status. The OTA work may replace the implementation.</summary>
public interface IFirmwareInfo
{
    FirmwareIdentity? Current { get; }

    string? ActiveSlot { get; }
}
