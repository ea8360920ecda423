using Fleet.Hub.Accounts;
using Fleet.Hub.Devices;
using Fleet.Hub.Hosting;
using Fleet.Hub.Telemetry;
using Fleet.Protocol.Messages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

internal static class DevicesApi
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapDevicesApi(this RouteGroupBuilder api)
    {
        var devices = api.MapGroup("/devices").WithTags("Devices");
        // A page of devices, in serial order, as a JSON array; the next page's cursor is in the Link header
        // (rel="next") and in X-Next-Cursor, absent on the last page (docs/hub.md, "Paging").
        devices.MapGet("/", async (HttpContext http, DeviceRegistry registry, Deployments.DeploymentPlanner planner, string? product, string? group, string? serial,
            string? tag, string? version, bool? online, string? state, string? cursor, int? limit, CancellationToken ct) =>
        {
            var search = DeviceSearch.From(product, serial, tag, version, online, state, cursor, limit);
            if (!search.Ok)
            {
                return (IResult)ApiAccess.Problem(search.Failure);
            }

            var page = group is null ? (Outcome<DevicePage>)await registry.SearchAsync(search.Value, null, ct) : await planner.MemberPageAsync(group, search.Value, ct);
            if (!page.Ok)
            {
                return ApiAccess.Problem(page.Failure);
            }

            ApiPaging.Link(http, page.Value.Next);
            return TypedResults.Ok(page.Value.Items.Select(DeviceView.Of));
        }).Requires(HubAction.ViewFleet);

        devices.MapPost("/", async Task<Results<Created<ProvisionedDevice>, ProblemHttpResult>> (ProvisionRequest body, HttpContext http, DeviceRegistry registry, CancellationToken ct) =>
        {
            var provisioned = await registry.ProvisionAsync(http.Actor(), body.Serial, body.Product, body.Tags ?? [], body.Csr, ct);
            return provisioned.Ok ? TypedResults.Created($"/api/v1/devices/{body.Serial}", provisioned.Value) : ApiAccess.Problem(provisioned.Failure);
        }).Requires(HubAction.ProvisionDevice);

        devices.MapGet("/{serial}", async Task<Results<Ok<DeviceView>, ProblemHttpResult>> (string serial, DeviceRegistry registry, CancellationToken ct) =>
        {
            var found = await registry.FindAsync(serial, ct);
            return found.Ok ? TypedResults.Ok(DeviceView.Of(found.Value)) : ApiAccess.Problem(found.Failure);
        }).Requires(HubAction.ViewFleet);

        devices.MapPost("/{serial}/revoke", async Task<Results<Ok<DeviceView>, ProblemHttpResult>> (string serial, HttpContext http, DeviceRegistry registry, CancellationToken ct) =>
        {
            var revoked = await registry.RevokeAsync(http.Actor(), serial, ct);
            return revoked.Ok ? TypedResults.Ok(DeviceView.Of(revoked.Value)) : ApiAccess.Problem(revoked.Failure);
        }).Requires(HubAction.RevokeDevice);

        foreach (var (name, action) in new[] { (CommandNames.Reboot, HubAction.RebootDevice), (CommandNames.Identify, HubAction.IdentifyDevice), (CommandNames.CancelUpdate, HubAction.CancelUpdate) })
        {
            devices.MapPost($"/{{serial}}/{name}", async Task<Results<Ok<CommandResponse>, ProblemHttpResult>> (string serial, HttpContext http, DeviceCommands commands, CancellationToken ct) =>
            {
                var answer = await commands.SendAsync(http.Actor(), serial, new DeviceCommand(name), CommandTimeout, ct);
                return answer.Ok ? TypedResults.Ok(answer.Value) : ApiAccess.Problem(answer.Failure);
            }).Requires(action);
        }

        devices.MapGet("/{serial}/events", async (string serial, int? limit, DeviceRegistry registry, CancellationToken ct) =>
            TypedResults.Ok(await registry.EventsAsync(serial, limit ?? 100, ct))).Requires(HubAction.ViewFleet);

        devices.MapGet("/{serial}/telemetry", async (string serial, string? sensor, int? limit, TelemetryQuery telemetry, CancellationToken ct) =>
            TypedResults.Ok((await telemetry.RecentAsync(serial, sensor, limit ?? 500, ct)).Select(r => new Reading(r.Sensor, r.Value, r.Unit, r.Ts)))).Requires(HubAction.ViewFleet);

        devices.MapGet("/{serial}/health", async Task<Results<Ok<IReadOnlyList<StoredHealth>>, ProblemHttpResult>> (string serial, int? limit, DeviceRegistry registry, HealthQuery health, CancellationToken ct) =>
        {
            var found = await registry.FindAsync(serial, ct);
            return found.Ok ? TypedResults.Ok(await health.RecentAsync(serial, limit ?? 100, ct)) : ApiAccess.Problem(found.Failure);
        }).Requires(HubAction.ViewFleet);
        return api;
    }
}
