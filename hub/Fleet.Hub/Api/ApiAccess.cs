using Fleet.Hub.Accounts;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

/// <summary>Shared pieces of every API area: role requirements, the caller as an audit actor, and failures as
/// Problem Details.</summary>
internal static class ApiAccess
{
    public static TBuilder Requires<TBuilder>(this TBuilder builder, string role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(role).WithMetadata(new RequiredRole(role));

    public static Actor Actor(this HttpContext http) => new(http.User.Identity?.Name ?? "unknown", http.User.IsInRole(Roles.Admin));

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

    public static void AddRolePolicies(this Microsoft.AspNetCore.Authorization.AuthorizationOptions options)
    {
        foreach (var role in Roles.All)
        {
            options.AddPolicy(role, p => p.RequireAuthenticatedUser().RequireRole(role));
        }
    }
}
