using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>Turns a signed-in user's hub role into role claims for every role it implies, exactly as the API's
/// Bearer tokens do, so one <see cref="Permissions"/> table serves both.</summary>
internal sealed class SignInClaims(UserManager<HubUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<HubUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(HubUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        foreach (var implied in Roles.Implied(user.Role))
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, implied));
        }

        return identity;
    }
}
