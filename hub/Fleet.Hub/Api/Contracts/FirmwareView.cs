using Fleet.Hub.Firmware;

namespace Fleet.Hub.Api;

internal sealed record FirmwareView(
    string Uuid, string Product, string Version, string Platform, string Architecture, string? Author, string? Description,
    long PayloadSize, string PayloadSha256, int ChunkCount, IReadOnlyList<string> SignedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? QuarantinedAt = null, string? QuarantineReason = null)
{
    public static FirmwareView Of(FirmwareRecord f) => new(f.Uuid, f.Product?.Name ?? "", f.Version, f.Platform, f.Architecture, f.Author, f.Description,
        f.PayloadSize, f.PayloadSha256, f.ChunkCount, f.SignedBy, f.CreatedAt, f.QuarantinedAt, f.QuarantineReason);
}
