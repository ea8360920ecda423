namespace Fleet.Hub.Api;

internal sealed record RegisterKeyRequest(string Name, string Product, string PublicKeyPem, IReadOnlyList<string>? Groups);
