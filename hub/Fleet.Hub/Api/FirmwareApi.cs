using Fleet.Hub.Accounts;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Fleet.Hub.Api;

internal static class FirmwareApi
{
    public static RouteGroupBuilder MapFirmwareApi(this RouteGroupBuilder api)
    {
        var firmware = api.MapGroup("/firmware").WithTags("Firmware");
        firmware.MapGet("/", async (FirmwareStore store, string? product, CancellationToken ct) =>
            TypedResults.Ok((await store.ListAsync(product, ct)).Select(FirmwareView.Of))).Requires(HubAction.ViewFleet);

        // Releases the hub offers to no device until an operator clears them (docs/ota.md, Quarantine).
        firmware.MapGet("/quarantine", async (FirmwareQuarantine quarantine, string? product, CancellationToken ct) =>
            TypedResults.Ok(await quarantine.ListAsync(product, ct))).Requires(HubAction.ViewFleet);

        firmware.MapDelete("/{reference}/quarantine", async Task<Results<Ok<QuarantinedRelease>, ProblemHttpResult>> (string reference, string? product, HttpContext http,
            FirmwareQuarantine quarantine, CancellationToken ct) =>
        {
            var cleared = await quarantine.ClearAsync(http.Actor(), reference, product, ct);
            return cleared.Ok ? TypedResults.Ok(cleared.Value) : ApiAccess.Problem(cleared.Failure);
        }).Requires(HubAction.ClearQuarantine);

        firmware.MapGet("/{uuid}", async Task<Results<Ok<FirmwareView>, ProblemHttpResult>> (string uuid, FirmwareStore store, CancellationToken ct) =>
        {
            var found = await store.FindAsync(uuid, ct);
            return found.Ok ? TypedResults.Ok(FirmwareView.Of(found.Value)) : ApiAccess.Problem(found.Failure);
        }).Requires(HubAction.ViewFleet);

        // The signed .fwb rebuilt from what the hub stored (the exact manifest bytes, their signatures, the payload
        // blob), so a client such as `fleet device burn` can verify it against the product's keys as a device does.
        // Written straight into the response as it is read from the blob store: nothing is staged on disk or held in
        // memory (the ZIP entries carry their sizes and CRCs after the data, and the central directory at the end).
        // Firmware whose signer is scoped needs ?serial= or ?group= naming where it goes (docs/hub.md).
        firmware.MapGet("/{uuid}/bundle", async Task<Results<PushStreamHttpResult, ProblemHttpResult>> (string uuid, string? serial, string? group, HttpContext http,
            Deployments.DeploymentCatalog catalog, BlobStore blobs, CancellationToken ct) =>
        {
            var found = await catalog.AuthorizeDownloadAsync(http.Actor(), uuid, serial, group, ct);
            if (!found.Ok)
            {
                return ApiAccess.Problem(found.Failure);
            }

            var record = found.Value;
            if (!blobs.Exists(record.PayloadSha256))
            {
                return ApiAccess.Problem(new Failure(FailureKind.Unavailable, "payload_missing", $"the payload of firmware {uuid} is missing from the blob store; upload the bundle again"));
            }

            return TypedResults.Stream(body => FirmwareBundleStream.WriteAsync(body, record, blobs, http.RequestAborted),
                "application/octet-stream", $"{record.Product?.Name}-{record.Version}-{record.Platform}.fwb");
        }).Requires(HubAction.ViewFleet);

        // The body is the .fwb itself (application/octet-stream), streamed to a temp file: bundles can be large.
        // Any other content type is refused (415): a browser form can send text/plain or a form encoding without a
        // preflight, never application/octet-stream.
        firmware.MapPost("/", async Task<Results<Created<FirmwareView>, ProblemHttpResult>> (string? product, HttpContext http, FirmwareStore store, IOptions<HubOptions> options, CancellationToken ct) =>
        {
            if (!IsBundleContentType(http.Request.ContentType))
            {
                return TypedResults.Problem(
                    title: "unsupported_media_type",
                    detail: $"the firmware upload is the .fwb itself with Content-Type: {BundleContentType}; got '{http.Request.ContentType ?? "none"}' (fleet firmware upload sends it)",
                    statusCode: StatusCodes.Status415UnsupportedMediaType,
                    extensions: new Dictionary<string, object?> { ["code"] = "unsupported_media_type" });
            }

            if (string.IsNullOrEmpty(product))
            {
                return ApiAccess.Problem(new Failure(FailureKind.Invalid, "product_required", "name the product: POST /api/v1/firmware?product=NAME"));
            }

            // Only this endpoint takes bundle-sized bodies; every other request keeps Kestrel's small default.
            if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = FirmwareLimits.MaxBundleBytes;
            }

            var temp = Path.Combine(options.Value.FullDataDir, "tmp", $"upload-{Guid.NewGuid():N}.fwb");
            Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
            try
            {
                await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await http.Request.Body.CopyToAsync(file, ct);
                }

                var stored = await store.PublishAsync(http.Actor(), product, temp, ct);
                return stored.Ok ? TypedResults.Created($"/api/v1/firmware/{stored.Value.Uuid}", FirmwareView.Of(stored.Value)) : ApiAccess.Problem(stored.Failure);
            }
            finally
            {
                File.Delete(temp);
            }
        }).Requires(HubAction.UploadFirmware)
        // Described for OpenAPI here rather than with Accepts(): Accepts would let routing answer a wrong content
        // type with a bare 415 before the handler can say which one it wants.
        .AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
            {
                Required = true,
                Description = "the signed .fwb bundle",
                Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType> { [BundleContentType] = new() },
            };
            return Task.CompletedTask;
        });

        firmware.MapDelete("/{uuid}", async Task<Results<Ok<FirmwareView>, ProblemHttpResult>> (string uuid, HttpContext http, FirmwareStore store, CancellationToken ct) =>
        {
            var deleted = await store.DeleteAsync(http.Actor(), uuid, ct);
            return deleted.Ok ? TypedResults.Ok(FirmwareView.Of(deleted.Value)) : ApiAccess.Problem(deleted.Failure);
        }).Requires(HubAction.DeleteFirmware);
        return api;
    }

    public const string BundleContentType = "application/octet-stream";

    private static bool IsBundleContentType(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.Equals(BundleContentType, StringComparison.OrdinalIgnoreCase);
}
