using Fleet.Hub.Accounts;
using Fleet.Hub.Deployments;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

internal sealed record CreateDeploymentRequest(
    string Name, string Product, string Firmware, IReadOnlyList<string>? Tags, string? TagMatch, string? VersionRequirement,
    int? MaxConcurrent, int? FailureThresholdPercent, bool? Paused);

internal sealed record UpdateDeploymentRequest(
    string? Firmware, IReadOnlyList<string>? Tags, string? TagMatch, string? VersionRequirement,
    int? MaxConcurrent, int? FailureThresholdPercent, bool? Paused);

internal sealed record ReleaseView(string FirmwareUuid, string FirmwareVersion, string Actor, DateTimeOffset CreatedAt);

internal sealed record DeploymentView(
    string Name, string Product, string FirmwareUuid, string FirmwareVersion, IReadOnlyList<string> Tags, string TagMatch,
    string? VersionRequirement, int MaxConcurrent, int FailureThresholdPercent, bool Paused, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<ReleaseView> Releases)
{
    public static DeploymentView Of(DeploymentGroup g) => new(
        g.Name, g.Product?.Name ?? "", g.Firmware?.Uuid ?? "", g.Firmware?.Version ?? "", g.Tags, g.TagMatch, g.VersionRequirement,
        g.MaxConcurrent, g.FailureThresholdPercent, g.Paused, g.CreatedAt, g.UpdatedAt,
        [.. g.Releases.Select(r => new ReleaseView(r.Firmware?.Uuid ?? "", r.Firmware?.Version ?? "", r.Actor, r.CreatedAt))]);
}

internal static class DeploymentsApi
{
    public static RouteGroupBuilder MapDeploymentsApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/deployments").WithTags("Deployments");
        groups.MapGet("/", async (DeploymentCatalog catalog, CancellationToken ct) =>
            TypedResults.Ok((await catalog.ListAsync(ct)).Select(DeploymentView.Of))).Requires(Roles.View);

        groups.MapGet("/{name}", async Task<Results<Ok<DeploymentView>, ProblemHttpResult>> (string name, DeploymentCatalog catalog, CancellationToken ct) =>
        {
            var found = await catalog.FindAsync(name, ct);
            return found.Ok ? TypedResults.Ok(DeploymentView.Of(found.Value)) : ApiAccess.Problem(found.Failure);
        }).Requires(Roles.View);

        groups.MapPost("/", async Task<Results<Created<DeploymentView>, ProblemHttpResult>> (CreateDeploymentRequest body, HttpContext http, DeploymentCatalog catalog, CancellationToken ct) =>
        {
            var spec = new GroupChanges(body.Firmware, body.Tags, body.TagMatch, body.VersionRequirement, body.MaxConcurrent, body.FailureThresholdPercent, body.Paused);
            var created = await catalog.CreateAsync(http.Actor(), body.Name, body.Product, spec, ct);
            if (!created.Ok)
            {
                return ApiAccess.Problem(created.Failure);
            }

            var shown = await catalog.FindAsync(body.Name, ct);
            return TypedResults.Created($"/api/v1/deployments/{body.Name}", DeploymentView.Of(shown.Value ?? created.Value));
        }).Requires(Roles.Manage);

        groups.MapPatch("/{name}", async Task<Results<Ok<DeploymentView>, ProblemHttpResult>> (string name, UpdateDeploymentRequest body, HttpContext http, DeploymentCatalog catalog, CancellationToken ct) =>
        {
            var changes = new GroupChanges(body.Firmware, body.Tags, body.TagMatch, body.VersionRequirement, body.MaxConcurrent, body.FailureThresholdPercent, body.Paused);
            var updated = await catalog.UpdateAsync(http.Actor(), name, changes, ct);
            if (!updated.Ok)
            {
                return ApiAccess.Problem(updated.Failure);
            }

            var shown = await catalog.FindAsync(name, ct);
            return TypedResults.Ok(DeploymentView.Of(shown.Value ?? updated.Value));
        }).Requires(Roles.Manage);
        return api;
    }
}
