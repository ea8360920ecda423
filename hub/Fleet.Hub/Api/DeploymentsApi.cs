using Fleet.Hub.Accounts;
using Fleet.Hub.Deployments;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

internal static class DeploymentsApi
{
    public static RouteGroupBuilder MapDeploymentsApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/deployments").WithTags("Deployments");
        groups.MapGet("/", async (DeploymentCatalog catalog, CancellationToken ct) =>
            TypedResults.Ok((await catalog.ListAsync(ct)).Select(DeploymentView.Of))).Requires(HubAction.ViewFleet);

        groups.MapGet("/{name}", async Task<Results<Ok<DeploymentView>, ProblemHttpResult>> (string name, DeploymentCatalog catalog, CancellationToken ct) =>
        {
            var found = await catalog.FindAsync(name, ct);
            return found.Ok ? TypedResults.Ok(DeploymentView.Of(found.Value)) : ApiAccess.Problem(found.Failure);
        }).Requires(HubAction.ViewFleet);

        groups.MapPost("/", async Task<Results<Created<DeploymentView>, ProblemHttpResult>> (CreateDeploymentRequest body, HttpContext http, DeploymentCatalog catalog, CancellationToken ct) =>
        {
            var spec = new GroupChanges(body.Firmware, body.Tags, body.TagMatch, body.VersionRequirement, body.MaxConcurrent, body.FailureThresholdPercent, body.Paused, body.SoakSeconds, body.QuarantineAfter, body.Window);
            var created = await catalog.CreateAsync(http.Actor(), body.Name, body.Product, spec, ct);
            if (!created.Ok)
            {
                return ApiAccess.Problem(created.Failure);
            }

            var shown = await catalog.FindAsync(body.Name, ct);
            return TypedResults.Created($"/api/v1/deployments/{body.Name}", DeploymentView.Of(shown.Value ?? created.Value));
        }).Requires(HubAction.CreateDeployment);

        groups.MapPatch("/{name}", async Task<Results<Ok<DeploymentView>, ProblemHttpResult>> (string name, UpdateDeploymentRequest body, HttpContext http, DeploymentCatalog catalog, CancellationToken ct) =>
        {
            var changes = new GroupChanges(body.Firmware, body.Tags, body.TagMatch, body.VersionRequirement, body.MaxConcurrent, body.FailureThresholdPercent, body.Paused, body.SoakSeconds, body.QuarantineAfter, body.Window);
            var updated = await catalog.UpdateAsync(http.Actor(), name, changes, ct);
            if (!updated.Ok)
            {
                return ApiAccess.Problem(updated.Failure);
            }

            var shown = await catalog.FindAsync(name, ct);
            return TypedResults.Ok(DeploymentView.Of(shown.Value ?? updated.Value));
        }).Requires(HubAction.ChangeDeployment);
        return api;
    }
}
