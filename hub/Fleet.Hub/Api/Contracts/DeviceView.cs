using Fleet.Hub.Devices;

namespace Fleet.Hub.Api;

internal sealed record DeviceView(
    string Serial, string Product, IReadOnlyList<string> Tags, bool Online, bool Revoked, DateTimeOffset? LastSeen,
    string? FirmwareUuid, string? FirmwareVersion, string? ActiveSlot, string? TankState, long UptimeSeconds,
    string CertificateFingerprint, DateTimeOffset CertificateNotAfter, DateTimeOffset CreatedAt)
{
    public static DeviceView Of(Device d) => new(d.Serial, d.Product?.Name ?? "", d.Tags, d.Online, d.Revoked, d.LastSeen,
        d.FirmwareUuid, d.FirmwareVersion, d.ActiveSlot, d.TankState, d.UptimeSeconds, d.CertificateFingerprint, d.CertificateNotAfter, d.CreatedAt);
}
