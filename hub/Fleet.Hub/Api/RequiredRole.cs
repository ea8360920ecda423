namespace Fleet.Hub.Api;

/// <summary>Endpoint metadata naming the least role an endpoint needs (for the 403 message).</summary>
internal sealed record RequiredRole(string Role);
