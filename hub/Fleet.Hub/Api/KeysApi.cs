using Fleet.Hub.Accounts;
using Fleet.Hub.Firmware;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

internal static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("Signing keys");
        keys.MapGet("/", async (RegisteredKeyRing ring, string? product, CancellationToken ct) =>
            TypedResults.Ok((await ring.ListAsync(product, ct)).Select(KeyView.Of))).Requires(HubAction.ViewFleet);

        keys.MapPost("/", async Task<Results<Created<KeyView>, ProblemHttpResult>> (RegisterKeyRequest body, HttpContext http, RegisteredKeyRing ring, CancellationToken ct) =>
        {
            var registered = await ring.RegisterAsync(http.Actor(), body.Product, body.Name, body.PublicKeyPem, body.Groups ?? [], ct);
            return registered.Ok ? TypedResults.Created($"/api/v1/keys/{body.Name}", KeyView.Of(registered.Value)) : ApiAccess.Problem(registered.Failure);
        }).Requires(HubAction.ManageSigningKeys);

        keys.MapDelete("/{name}", async Task<Results<Ok<KeyView>, ProblemHttpResult>> (string name, string? product, HttpContext http, RegisteredKeyRing ring, CancellationToken ct) =>
        {
            var revoked = await ring.RevokeAsync(http.Actor(), name, product, ct);
            return revoked.Ok ? TypedResults.Ok(KeyView.Of(revoked.Value)) : ApiAccess.Problem(revoked.Failure);
        }).Requires(HubAction.ManageSigningKeys);
        return api;
    }
}
