using Fleet.Protocol.Messages;

namespace Fleet.Device.Link;

/// <summary>What the device runs, for the retained status. The OTA work may replace the implementation.</summary>
public interface IFirmwareInfo
{
    FirmwareIdentity? Current { get; }

    string? ActiveSlot { get; }

    /// <summary>The trust metadata versions held (null: none yet, the legacy trusted keys), so the hub knows when to
    /// send newer.</summary>
    TrustVersions? Trust => null;
}
