namespace Fleet.Hub.Api;

/// <summary>A user with its active tokens. Never a secret: whether a password is set, and each token's fingerprint.</summary>
internal sealed record UserView(string Name, string Role, bool Disabled, bool CanSignIn, DateTimeOffset CreatedAt, IReadOnlyList<TokenView> Tokens)
{
    public static UserView Of(Accounts.UserSummary u) =>
        new(u.Name, u.Role, u.Disabled, u.CanSignIn, u.CreatedAt, [.. u.Tokens.Select(TokenView.Of)]);
}

/// <summary>An API token as the hub shows it: name, hash fingerprint, times; the token itself was shown once, at creation.</summary>
internal sealed record TokenView(string Name, string Fingerprint, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, bool Expired)
{
    public static TokenView Of(Accounts.TokenSummary t) => new(t.Name, t.Fingerprint, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.Expired);
}

/// <summary>A new user, with its first token (shown this once) when one was made.</summary>
internal sealed record CreatedUserView(string Name, string Role, bool CanSignIn, string? TokenName, string? Token, DateTimeOffset? ExpiresAt);
