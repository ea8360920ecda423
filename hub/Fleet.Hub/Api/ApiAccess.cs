using Fleet.Hub.Accounts;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

/// <summary>Shared pieces of every API area: role requirements, the caller as an audit actor, and failures as
/// Problem Details.</summary>
internal static class ApiAccess
{
    /// <summary>The endpoint does <paramref name="action"/>: <see cref="Permissions"/> decides who may, as for the UI.</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, HubAction action)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Permissions.PolicyFor(action)).WithMetadata(new RequiredRole(action, Permissions.RoleFor(action)));

    /// <summary>The caller for the audit log: the user, and the API token it used (none for a sign-in cookie).</summary>
    public static Actor Actor(this HttpContext http) =>
        new(http.User.Identity?.Name ?? "unknown", http.User.FindFirst(BearerTokenHandler.TokenClaim)?.Value, http.User.IsInRole(Roles.Admin));

    public static ProblemHttpResult Problem(Failure failure) =>
        TypedResults.Problem(
            title: failure.Code,
            detail: failure.Message,
            statusCode: failure.Kind switch
            {
                FailureKind.NotFound => StatusCodes.Status404NotFound,
                FailureKind.Conflict => StatusCodes.Status409Conflict,
                FailureKind.Forbidden => StatusCodes.Status403Forbidden,
                FailureKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status400BadRequest,
            },
            extensions: new Dictionary<string, object?> { ["code"] = failure.Code });
}
