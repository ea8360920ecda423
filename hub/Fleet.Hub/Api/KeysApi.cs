using Fleet.Hub.Accounts;
using Fleet.Hub.Firmware;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

internal static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("Signing keys");
        keys.MapGet("/", async (SigningKeyRing ring, string? product, CancellationToken ct) =>
            TypedResults.Ok((await ring.ListAsync(product, ct)).Select(KeyView.Of))).Requires(Roles.View);

        keys.MapPost("/", async Task<Results<Created<KeyView>, ProblemHttpResult>> (RegisterKeyRequest body, HttpContext http, SigningKeyRing ring, CancellationToken ct) =>
        {
            var registered = await ring.RegisterAsync(http.Actor(), body.Product, body.Name, body.PublicKeyPem, body.Groups ?? [], ct);
            return registered.Ok ? TypedResults.Created($"/api/v1/keys/{body.Name}", KeyView.Of(registered.Value)) : ApiAccess.Problem(registered.Failure);
        }).Requires(Roles.Admin);
        return api;
    }
}
