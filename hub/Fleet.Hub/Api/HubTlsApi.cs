using Fleet.Hub.Accounts;
using Fleet.Hub.Devices;

namespace Fleet.Hub.Api;

/// <summary><c>GET /api/v1/hub/tls</c>: which certificate the hub presents, its own anchor, and the tanks that
/// still pin the old one (an upgrade is done when none is left; docs/upgrade.md).</summary>
internal static class HubTlsApi
{
    public static RouteGroupBuilder MapHubTlsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/hub/tls", (HubTlsIdentity identity, CancellationToken ct) => identity.ViewAsync(ct)).Requires(HubAction.ViewFleet).WithTags("Hub");
        return api;
    }
}
