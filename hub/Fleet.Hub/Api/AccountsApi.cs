using Fleet.Hub.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

/// <summary>Users and their API tokens (<see cref="HubAction.ManageUsers"/>, admin). <c>whoami</c> lets any token
/// check itself (used by <c>fleet login</c>). Each endpoint is one call into <see cref="AccountDirectory"/>.</summary>
internal static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/whoami", (HttpContext http) => TypedResults.Ok(new WhoAmI(
            http.User.Identity!.Name!,
            [.. http.User.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value)]))).Requires(HubAction.ViewFleet);

        var users = api.MapGroup("/users").WithTags("Accounts");
        users.MapGet("/", async (AccountDirectory accounts, CancellationToken ct) =>
            TypedResults.Ok((await accounts.ListAsync(ct)).Select(UserView.Of))).Requires(HubAction.ManageUsers);

        users.MapGet("/{name}", async Task<Results<Ok<UserView>, ProblemHttpResult>> (string name, AccountDirectory accounts, CancellationToken ct) =>
        {
            var user = await accounts.GetAsync(name, ct);
            return user.Ok ? TypedResults.Ok(UserView.Of(user.Value)) : ApiAccess.Problem(user.Failure);
        }).Requires(HubAction.ManageUsers);

        users.MapPost("/", async Task<Results<Created<CreatedUserView>, ProblemHttpResult>> (CreateUserRequest body, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var created = await accounts.CreateAsync(http.Actor(), body.Name, body.Role, body.Password, body.NoToken ? null : body.Token ?? "initial", body.Expires, ct);
            if (!created.Ok)
            {
                return ApiAccess.Problem(created.Failure);
            }

            var u = created.Value;
            return TypedResults.Created($"/api/v1/users/{u.Name}", new CreatedUserView(u.Name, u.Role, u.CanSignIn, u.Token?.TokenName, u.Token?.Token, u.Token?.ExpiresAt));
        }).Requires(HubAction.ManageUsers);

        users.MapPatch("/{name}", async Task<Results<Ok<UserView>, ProblemHttpResult>> (string name, UpdateUserRequest body, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var changed = await accounts.UpdateAsync(http.Actor(), name, body.Role, body.Disabled, ct);
            return changed.Ok ? TypedResults.Ok(UserView.Of(changed.Value)) : ApiAccess.Problem(changed.Failure);
        }).Requires(HubAction.ManageUsers);

        users.MapDelete("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var deleted = await accounts.DeleteAsync(http.Actor(), name, ct);
            return deleted.Ok ? TypedResults.NoContent() : ApiAccess.Problem(deleted.Failure);
        }).Requires(HubAction.ManageUsers);

        users.MapPost("/{name}/password", async Task<Results<Ok<PasswordView>, ProblemHttpResult>> (string name, SetPasswordRequest body, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var set = await accounts.SetPasswordAsync(http.Actor(), name, body.Password, ct);
            return set.Ok ? TypedResults.Ok(new PasswordView(set.Value)) : ApiAccess.Problem(set.Failure!);
        }).Requires(HubAction.ManageUsers);

        users.MapGet("/{name}/tokens", async Task<Results<Ok<IReadOnlyList<TokenView>>, ProblemHttpResult>> (string name, AccountDirectory accounts, CancellationToken ct) =>
        {
            var user = await accounts.GetAsync(name, ct);
            return user.Ok ? TypedResults.Ok<IReadOnlyList<TokenView>>([.. user.Value.Tokens.Select(TokenView.Of)]) : ApiAccess.Problem(user.Failure);
        }).Requires(HubAction.ManageUsers);

        users.MapPost("/{name}/tokens", async Task<Results<Created<IssuedToken>, ProblemHttpResult>> (string name, CreateTokenRequest body, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var created = await accounts.CreateTokenAsync(http.Actor(), name, body.Name, body.Expires, ct);
            return created.Ok ? TypedResults.Created($"/api/v1/users/{name}/tokens", created.Value) : ApiAccess.Problem(created.Failure);
        }).Requires(HubAction.ManageUsers);

        users.MapDelete("/{name}/tokens/{token}", async Task<Results<NoContent, ProblemHttpResult>> (string name, string token, HttpContext http, AccountDirectory accounts, CancellationToken ct) =>
        {
            var revoked = await accounts.RevokeTokenAsync(http.Actor(), name, token, ct);
            return revoked.Ok ? TypedResults.NoContent() : ApiAccess.Problem(revoked.Failure);
        }).Requires(HubAction.ManageUsers);
        return api;
    }
}
