namespace Fleet.Hub.Accounts;

/// <summary>A freshly created token: the only moment the hub knows its clear text.</summary>
internal sealed record IssuedToken(string Account, string Role, string TokenName, string Token, DateTimeOffset? ExpiresAt);
