namespace Fleet.Hub.Api;

internal sealed record ProvisionRequest(string Serial, string Product, IReadOnlyList<string>? Tags, string Csr);
