using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>Identity's sign-in, refusing a disabled user: it cannot sign in, and a session it already has ends at its
/// next request (the cookie is checked against the user on every request, see <see cref="AccountsServices"/>).</summary>
internal sealed class HubSignInManager(
    UserManager<HubUser> users,
    IHttpContextAccessor http,
    IUserClaimsPrincipalFactory<HubUser> claims,
    IOptions<IdentityOptions> options,
    ILogger<SignInManager<HubUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<HubUser> confirmation)
    : SignInManager<HubUser>(users, http, claims, options, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(HubUser user) => !user.Disabled && await base.CanSignInAsync(user);

    public override async Task<HubUser?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is { Disabled: false } ? user : null;
    }
}
