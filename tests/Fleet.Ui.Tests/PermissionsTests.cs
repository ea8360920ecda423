using System.Security.Claims;
using Fleet.Hub.Accounts;

namespace Fleet.Ui.Tests;

/// <summary>The one permission table (UI actions and API endpoints alike).</summary>
public sealed class PermissionsTests
{
    private static readonly HubAction[] AdminOnly = [HubAction.ManageUsers, HubAction.ManageSigningKeys, HubAction.ManageTrust];

    private static ClaimsPrincipal SignedIn(string role) =>
        new(new ClaimsIdentity(Roles.Implied(role).Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.Name, "someone")), "test"));

    [Fact]
    public void A_viewer_may_only_view()
    {
        Assert.True(Permissions.Allows(SignedIn(Roles.View), HubAction.ViewFleet));
        Assert.All(Enum.GetValues<HubAction>().Where(a => a != HubAction.ViewFleet), a => Assert.False(Permissions.Allows(SignedIn(Roles.View), a), a.ToString()));
    }

    [Fact]
    public void A_manager_may_do_everything_but_manage_users_keys_and_trust()
    {
        Assert.All(Enum.GetValues<HubAction>().Except(AdminOnly), a => Assert.True(Permissions.Allows(SignedIn(Roles.Manage), a), a.ToString()));
        Assert.All(AdminOnly, a => Assert.False(Permissions.Allows(SignedIn(Roles.Manage), a), a.ToString()));
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

    [Fact]
    public void An_action_outside_the_table_is_refused_even_to_an_admin()
    {
        Assert.False(Permissions.Allows(SignedIn(Roles.Admin), (HubAction)999));
        Assert.Equal(Roles.Admin, Permissions.RoleFor((HubAction)999));
    }
}
