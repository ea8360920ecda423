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

        var identity = await accounts.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("unknown or revoked API token");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Account), new("token", identity.TokenName) };
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
            detail: "a valid API token is required: send 'Authorization: Bearer TOKEN' (the admin token is in DATA/admin-token; 'fleet login' stores one)",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).FirstOrDefault(r => r == Roles.Admin)
            ?? Context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).FirstOrDefault(r => r == Roles.Manage) ?? Roles.View;
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredRole>()?.Role ?? "a higher role";
        await Results.Problem(
            title: "Forbidden",
            detail: $"this action needs role '{needed}'; your token's account has role '{role}'. Ask an admin for a token with that role.",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
    }
}
