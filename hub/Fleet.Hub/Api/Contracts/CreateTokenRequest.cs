namespace Fleet.Hub.Api;

/// <summary>A new API token: its name, and when it expires (<c>30d</c>, <c>12h</c>, an ISO 8601 date or time, or
/// <c>never</c>; default 90 days).</summary>
internal sealed record CreateTokenRequest(string Name, string? Expires = null);
