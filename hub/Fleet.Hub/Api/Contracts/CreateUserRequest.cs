namespace Fleet.Hub.Api;

internal sealed record CreateUserRequest(string Name, string Role);
