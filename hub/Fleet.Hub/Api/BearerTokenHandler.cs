using System.Security.Claims;
using System.Text.Encodings.Web;
using Fleet.Hub.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Fleet.Hub.Api;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against the hashed tokens in Accounts.
/// The identity carries every role the account's role implies, so policies name the least role needed.</summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccountDirectory accounts) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>The claim naming the API token that authenticated the request (for the audit log).</summary>
    public const string TokenClaim = "token";

    private const string RefusalKey = "fleet.token-refusal";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("the Authorization header must be 'Bearer TOKEN'");
        }

        var check = await accounts.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (check.Identity is not { } identity)
        {
            Context.Items[RefusalKey] = check.Refusal;
            return AuthenticateResult.Fail(check.Refusal ?? "unknown API token");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Account), new(TokenClaim, identity.TokenName) };
        claims.AddRange(Roles.Implied(identity.Role).Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
            title: "Unauthorized",
            detail: Context.Items[RefusalKey] is string refusal
                ? refusal
                : "a valid API token is required: send 'Authorization: Bearer TOKEN' (the admin token is in DATA/admin-token; 'fleet login' stores one)",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).FirstOrDefault(r => r == Roles.Admin)
            ?? Context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).FirstOrDefault(r => r == Roles.Manage) ?? Roles.View;
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredRole>();
        await Results.Problem(
            title: "Forbidden",
            detail: needed is null
                ? $"this action needs a higher role; your token's user has role '{role}'. Ask an admin for that role."
                : $"'{needed.Action}' needs role '{needed.Role}'; your token's user has role '{role}'. Ask an admin for that role.",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
    }
}
