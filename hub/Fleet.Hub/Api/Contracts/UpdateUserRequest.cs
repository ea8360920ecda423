namespace Fleet.Hub.Api;

/// <summary>A change of a user: a new role, and/or disabled (no sign-in, no token works) or enabled again.</summary>
internal sealed record UpdateUserRequest(string? Role = null, bool? Disabled = null);
