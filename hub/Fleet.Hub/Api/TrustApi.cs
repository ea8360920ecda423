using Fleet.Hub.Accounts;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

/// <summary>Trust metadata per product (admin PUTs exact file bytes, view GETs), downgrade permits, and the anonymous
/// TUF repository an independent TUF client refreshes from.</summary>
internal static class TrustApi
{
    /// <summary>Metadata files are small; anything larger is refused before it is read.</summary>
    private const int MaxMetadataBytes = 1 << 20;

    public static RouteGroupBuilder MapTrustApi(this RouteGroupBuilder api)
    {
        var trust = api.MapGroup("/products/{product}/trust").WithTags("Trust");
        trust.MapGet("/", async Task<Results<Ok<TrustView>, ProblemHttpResult>> (string product, TrustQuery query, TrustStore store, CancellationToken ct) =>
        {
            var state = await query.GetAsync(product, ct);
            return state.Ok ? TypedResults.Ok(TrustView.Of(state.Value, store.OnlineKeyPem)) : ApiAccess.Problem(state.Failure);
        }).Requires(HubAction.ViewFleet);

        trust.MapPut("/root", async Task<Results<Ok<TrustView>, ProblemHttpResult>> (string product, HttpContext http, TrustStore store, CancellationToken ct) =>
        {
            var body = await ReadAsync(http, ct);
            if (!body.Ok)
            {
                return ApiAccess.Problem(body.Failure);
            }

            var state = await store.PutRootAsync(http.Actor(), product, body.Value, ct);
            return state.Ok ? TypedResults.Ok(TrustView.Of(state.Value, store.OnlineKeyPem)) : ApiAccess.Problem(state.Failure);
        }).Requires(HubAction.ManageTrust).Accepts<Stream>("application/json");

        trust.MapPut("/targets", async Task<Results<Ok<TrustView>, ProblemHttpResult>> (string product, HttpContext http, TrustStore store, CancellationToken ct) =>
        {
            var body = await ReadAsync(http, ct);
            if (!body.Ok)
            {
                return ApiAccess.Problem(body.Failure);
            }

            var state = await store.PutTargetsAsync(http.Actor(), product, body.Value, ct);
            return state.Ok ? TypedResults.Ok(TrustView.Of(state.Value, store.OnlineKeyPem)) : ApiAccess.Problem(state.Failure);
        }).Requires(HubAction.ManageTrust).Accepts<Stream>("application/json");

        api.MapPost("/firmware/{uuid}/permits", async Task<Results<Created<PermitView>, ProblemHttpResult>> (string uuid, HttpContext http, DowngradePermitStore permits, CancellationToken ct) =>
        {
            var body = await ReadAsync(http, ct);
            if (!body.Ok)
            {
                return ApiAccess.Problem(body.Failure);
            }

            var stored = await permits.AddAsync(http.Actor(), uuid, body.Value, ct);
            return stored.Ok ? TypedResults.Created($"/api/v1/firmware/{uuid}", PermitView.Of(uuid, stored.Value)) : ApiAccess.Problem(stored.Failure);
        }).Requires(HubAction.ManageTrust).WithTags("Trust").Accepts<Stream>("application/json");
        return api;
    }

    /// <summary>The anonymous repository: <c>/tuf/{product}/root.json</c>, <c>N.root.json</c>, <c>targets.json</c>,
    /// <c>snapshot.json</c>, <c>timestamp.json</c>. All of it is signed and public by design (TUF clients fetch
    /// before they can authenticate anything).</summary>
    public static void MapTufRepository(this WebApplication app)
    {
        app.MapGet("/tuf/{product}/{file}", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (string product, string file, TrustQuery query, CancellationToken ct) =>
        {
            var found = await query.FileAsync(product, file, ct);
            return found.Ok ? TypedResults.File(found.Value, "application/json") : ApiAccess.Problem(found.Failure);
        }).AllowAnonymous().WithTags("Trust");
    }

    private static async Task<Outcome<byte[]>> ReadAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength is > MaxMetadataBytes)
        {
            return TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 14];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxMetadataBytes)
            {
                return TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Failure TooLarge() => new(FailureKind.Invalid, "metadata_too_large", $"trust metadata is at most {MaxMetadataBytes} bytes");
}
