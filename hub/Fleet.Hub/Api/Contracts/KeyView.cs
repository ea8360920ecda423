using Fleet.Hub.Firmware;

namespace Fleet.Hub.Api;

internal sealed record KeyView(string Name, string Product, string KeyId, string PublicKeyPem, IReadOnlyList<string> Groups, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static KeyView Of(RegisteredKey k) => new(k.Name, k.Product?.Name ?? "", k.KeyId, k.PublicKeyPem, k.AllowedGroups, k.CreatedAt, k.RevokedAt);
}
