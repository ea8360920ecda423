using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>Turns a signed-in user's stored hub role into role claims for every role it implies, exactly as
/// the API's Bearer tokens do, so one set of policies and one <see cref="Web.Permissions"/> table serve both.</summary>
internal sealed class SignInClaims(UserManager<IdentityUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<IdentityUser>(users, options)
{
    public const string RoleClaim = "fleet:role";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(IdentityUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        var role = identity.FindFirst(RoleClaim)?.Value ?? "";
        foreach (var implied in Roles.Implied(role))
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, implied));
        }

        return identity;
    }
}
