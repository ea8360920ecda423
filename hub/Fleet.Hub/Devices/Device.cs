using Fleet.Hub.Products;

namespace Fleet.Hub.Devices;

internal sealed class Device
{
    public int Id { get; set; }
    public required string Serial { get; set; }
    public int ProductId { get; set; }
    public Product? Product { get; set; }
    public List<string> Tags { get; set; } = [];
    public required string CertificateFingerprint { get; set; }
    public DateTimeOffset CertificateNotAfter { get; set; }

    /// <summary>Hex serial number of the issued certificate: what a CRL names when the device is revoked.</summary>
    public string? CertificateSerialNumber { get; set; }
    public bool Revoked { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public bool Online { get; set; }
    public DateTimeOffset? LastSeen { get; set; }
    public string? FirmwareUuid { get; set; }
    public string? FirmwareVersion { get; set; }
    public string? ActiveSlot { get; set; }

    /// <summary>Platform and architecture of the firmware the device reports running (its slot manifest).</summary>
    public string? Platform { get; set; }
    public string? Architecture { get; set; }

    /// <summary>Set by the rollout orchestrator after repeated failed updates; cleared by time or by an operator.</summary>
    public DateTimeOffset? PenaltyUntil { get; set; }
    public string? TankState { get; set; }
    public long UptimeSeconds { get; set; }
    public long LastTelemetrySequence { get; set; } = -1;

    /// <summary>Fingerprint of the TLS anchor the device last said it pins for the hub (null: an agent that does not
    /// say, or has not connected since this was recorded).</summary>
    public string? HubAnchor { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
