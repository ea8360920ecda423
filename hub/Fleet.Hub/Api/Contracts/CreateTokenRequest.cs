namespace Fleet.Hub.Api;

internal sealed record CreateTokenRequest(string Name);
