namespace Fleet.Hub.Accounts;

/// <summary>A user as lists show it: never a password or a token, only whether a password is set and each token's
/// fingerprint.</summary>
internal sealed record UserSummary(string Name, string Role, bool Disabled, bool CanSignIn, DateTimeOffset CreatedAt, IReadOnlyList<TokenSummary> Tokens);

/// <summary>An API token as lists show it: its name and hash fingerprint, never its secret.</summary>
internal sealed record TokenSummary(string Name, string Fingerprint, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, bool Expired);

/// <summary>A new user, and its first token when one was asked for.</summary>
internal sealed record CreatedUser(string Name, string Role, bool CanSignIn, IssuedToken? Token);

/// <summary>The first start's user <c>admin</c>: a password for the UI and a token for the API, each shown once.</summary>
internal sealed record FirstAdmin(string Password, IssuedToken Token);
