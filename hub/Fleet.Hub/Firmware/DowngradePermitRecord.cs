namespace Fleet.Hub.Firmware;

/// <summary>A signed downgrade permit for one firmware, exact envelope bytes. The hub attaches it to offers of that
/// firmware to devices whose installed version it names; the device verifies it against its own trust metadata.</summary>
internal sealed class DowngradePermitRecord
{
    public int Id { get; set; }
    public int FirmwareId { get; set; }
    public required byte[] Json { get; set; }
    public List<string> Replaces { get; set; } = [];
    public DateTimeOffset Expires { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
