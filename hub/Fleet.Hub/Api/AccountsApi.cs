using Fleet.Hub.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

/// <summary>Users and tokens: admin only. <c>whoami</c> lets any token check itself (used by <c>fleet login</c>).</summary>
internal static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/whoami", (HttpContext http) => TypedResults.Ok(new WhoAmI(
            http.User.Identity!.Name!,
            [.. http.User.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value)]))).Requires(Roles.View);

        var users = api.MapGroup("/users").WithTags("Accounts");
        users.MapGet("/", async (AccountDirectory accounts, CancellationToken ct) =>
            TypedResults.Ok((await accounts.ListAsync(ct)).Select(a =>
                new UserView(a.Name, a.Role, a.CreatedAt, [.. a.Tokens.Where(t => t.RevokedAt == null).Select(t => t.Name)])))).Requires(Roles.Admin);

        users.MapPost("/", async Task<Results<Created<IssuedToken>, ProblemHttpResult>> (CreateUserRequest body, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var created = await accounts.CreateAsync(http.Actor(), body.Name, body.Role, ct);
            return created.Ok ? TypedResults.Created($"/api/v1/users/{created.Value.Account}", created.Value) : ApiAccess.Problem(created.Failure);
        }).Requires(Roles.Admin);

        users.MapPost("/{name}/tokens", async Task<Results<Created<IssuedToken>, ProblemHttpResult>> (string name, CreateTokenRequest body, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var created = await accounts.CreateTokenAsync(http.Actor(), name, body.Name, ct);
            return created.Ok ? TypedResults.Created($"/api/v1/users/{name}", created.Value) : ApiAccess.Problem(created.Failure);
        }).Requires(Roles.Admin);

        users.MapDelete("/{name}/tokens/{token}", async Task<Results<NoContent, ProblemHttpResult>> (string name, string token, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var revoked = await accounts.RevokeTokenAsync(http.Actor(), name, token, ct);
            return revoked.Ok ? TypedResults.NoContent() : ApiAccess.Problem(revoked.Failure);
        }).Requires(Roles.Admin);
        return api;
    }
}
