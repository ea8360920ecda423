using Fleet.Hub.Products;

namespace Fleet.Hub.Firmware;

/// <summary>A product's public Ed25519 key (the private half never reaches the hub). When
/// <see cref="AllowedGroups"/> is not empty, firmware signed only by this key may ship only to those groups. A
/// revoked key (<see cref="RevokedAt"/>) verifies nothing more: no upload, no offer, no download.</summary>
internal sealed class RegisteredKey
{
    public int Id { get; set; }
    public int ProductId { get; set; }
    public Product? Product { get; set; }
    public required string Name { get; set; }
    public required string KeyId { get; set; }
    public required string PublicKeyPem { get; set; }
    public List<string> AllowedGroups { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
