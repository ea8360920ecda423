using Fleet.Hub.Products;

namespace Fleet.Hub.Firmware;

/// <summary>A verified bundle: its exact signed manifest bytes, signatures, and the payload blob (by SHA-256).</summary>
internal sealed class FirmwareRecord
{
    public int Id { get; set; }
    public int ProductId { get; set; }
    public Product? Product { get; set; }
    public required string Uuid { get; set; }
    public required string Version { get; set; }
    public required string Platform { get; set; }
    public required string Architecture { get; set; }
    public string? Author { get; set; }
    public string? Description { get; set; }
    public long PayloadSize { get; set; }
    public required string PayloadSha256 { get; set; }
    public int ChunkCount { get; set; }
    public required byte[] Manifest { get; set; }
    public required string Signatures { get; set; }
    public List<string> SignedBy { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set when the release failed on too many devices (<see cref="FirmwareQuarantine"/>): it is offered to no
    /// device until an operator clears it.</summary>
    public DateTimeOffset? QuarantinedAt { get; set; }
    public string? QuarantineReason { get; set; }

    /// <summary>When an operator last cleared its quarantine: failures before it no longer count.</summary>
    public DateTimeOffset? QuarantineClearedAt { get; set; }
}
