using System.Security.Claims;
using Fleet.Hub.Accounts;
using Fleet.Hub.Web;

namespace Fleet.Ui.Tests;

public sealed class PermissionsTests
{
    private static ClaimsPrincipal SignedIn(string role) =>
        new(new ClaimsIdentity(Roles.Implied(role).Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.Name, "someone")), "test"));

    [Fact]
    public void A_viewer_may_do_nothing()
    {
        Assert.All(Enum.GetValues<HubAction>(), a => Assert.False(Permissions.Allows(SignedIn(Roles.View), a), a.ToString()));
    }

    [Fact]
    public void A_manager_may_do_everything_but_manage_users()
    {
        Assert.All(Enum.GetValues<HubAction>().Where(a => a != HubAction.CreateUser), a => Assert.True(Permissions.Allows(SignedIn(Roles.Manage), a), a.ToString()));
        Assert.False(Permissions.Allows(SignedIn(Roles.Manage), HubAction.CreateUser));
    }

    [Fact]
    public void An_admin_may_do_everything()
    {
        Assert.All(Enum.GetValues<HubAction>(), a => Assert.True(Permissions.Allows(SignedIn(Roles.Admin), a), a.ToString()));
    }

    [Fact]
    public void Without_a_sign_in_even_role_claims_allow_nothing()
    {
        var unauthenticated = new ClaimsPrincipal(new ClaimsIdentity(Roles.Implied(Roles.Admin).Select(r => new Claim(ClaimTypes.Role, r))));
        Assert.All(Enum.GetValues<HubAction>(), a => Assert.False(Permissions.Allows(unauthenticated, a), a.ToString()));
    }
}
