using Fleet.Hub.Accounts;
using Fleet.Hub.Audit;

namespace Fleet.Hub.Api;

internal static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (AuditLog audit, int? limit, string? subject, CancellationToken ct) =>
            TypedResults.Ok(await audit.ListAsync(limit ?? 100, subject, ct))).Requires(HubAction.ViewFleet).WithTags("Audit");
        return api;
    }
}
