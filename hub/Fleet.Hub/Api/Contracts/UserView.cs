namespace Fleet.Hub.Api;

internal sealed record UserView(string Name, string Role, DateTimeOffset CreatedAt, IReadOnlyList<string> Tokens);
