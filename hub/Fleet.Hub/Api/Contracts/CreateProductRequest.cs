namespace Fleet.Hub.Api;

internal sealed record CreateProductRequest(string Name, string? Description);
