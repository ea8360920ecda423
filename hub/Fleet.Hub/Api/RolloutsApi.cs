using Fleet.Hub.Accounts;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Fleet.Hub.Rollouts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

internal sealed record PushUpdateRequest(string Firmware);

/// <summary>Rollout progress, the penalty box, a one-device push, and the authenticated payload download.</summary>
internal static class RolloutsApi
{
    public static RouteGroupBuilder MapRolloutsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/deployments/{name}/progress", async Task<Results<Ok<RolloutProgress>, ProblemHttpResult>> (string name, RolloutProgressQuery query, CancellationToken ct) =>
        {
            var progress = await query.GetAsync(name, ct);
            return progress.Ok ? TypedResults.Ok(progress.Value) : ApiAccess.Problem(progress.Failure);
        }).Requires(HubAction.ViewFleet).WithTags("Rollouts");

        api.MapGet("/devices/{serial}/rollout-attempts", async (string serial, RolloutProgressQuery query, CancellationToken ct) =>
            TypedResults.Ok(await query.AttemptsOfDeviceAsync(serial, ct))).Requires(HubAction.ViewFleet).WithTags("Rollouts");

        api.MapDelete("/devices/{serial}/penalty-box", async Task<Results<NoContent, ProblemHttpResult>> (string serial, HttpContext http, RolloutLedger ledger, CancellationToken ct) =>
        {
            var cleared = await ledger.ClearPenaltyAsync(http.Actor(), serial, ct);
            return cleared.Ok ? TypedResults.NoContent() : ApiAccess.Problem(cleared.Failure);
        }).Requires(HubAction.ClearPenaltyBox).WithTags("Rollouts");

        // Sends one firmware to one device outside any group, under the same release rules as a group; the device
        // still verifies everything itself.
        api.MapPost("/devices/{serial}/update", async Task<Results<Accepted<AttemptView>, ProblemHttpResult>> (string serial, PushUpdateRequest body, HttpContext http,
            RolloutOrchestrator orchestrator, CancellationToken ct) =>
        {
            var pushed = await orchestrator.PushAsync(http.Actor(), serial, body.Firmware, ct);
            return pushed.Ok ? TypedResults.Accepted($"/api/v1/devices/{serial}", pushed.Value) : ApiAccess.Problem(pushed.Failure);
        }).Requires(HubAction.PushUpdate).WithTags("Rollouts");

        // The same payload bytes devices get over MQTT, for devices or tools that fetch over HTTPS (and the benchmark).
        api.MapGet("/firmware/{uuid}/payload", async Task<Results<FileStreamHttpResult, ProblemHttpResult>> (string uuid, string? serial, string? group, HttpContext http,
            Deployments.DeploymentCatalog catalog, BlobStore blobs, CancellationToken ct) =>
        {
            var found = await catalog.AuthorizeDownloadAsync(http.Actor(), uuid, serial, group, ct);
            if (!found.Ok)
            {
                return ApiAccess.Problem(found.Failure);
            }

            return TypedResults.File(blobs.Open(found.Value.PayloadSha256), "application/octet-stream", $"{uuid}.payload", enableRangeProcessing: true);
        }).Requires(HubAction.ViewFleet).WithTags("Firmware");
        return api;
    }
}
