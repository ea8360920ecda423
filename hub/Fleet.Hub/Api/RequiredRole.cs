using Fleet.Hub.Accounts;

namespace Fleet.Hub.Api;

/// <summary>Endpoint metadata naming the endpoint's action and the least role it needs (for the 403 message).</summary>
internal sealed record RequiredRole(HubAction Action, string Role);
