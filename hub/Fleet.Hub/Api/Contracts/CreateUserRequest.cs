namespace Fleet.Hub.Api;

/// <summary>A new user. <see cref="Password"/> lets it sign in to the web UI; <see cref="Token"/> names its first API
/// token (default <c>initial</c>; <see cref="NoToken"/> for none), which expires as <see cref="Expires"/> says.</summary>
internal sealed record CreateUserRequest(string Name, string Role, string? Password = null, string? Token = null, bool NoToken = false, string? Expires = null);
