using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Fleet.Hub.Accounts;

/// <summary>The one permission table, action → least role, for the web UI and the API alike. Pages ask it whether to
/// show a control (<c>&lt;Allowed&gt;</c>), <see cref="Web.UiActions"/> asks it again before doing anything (so a hidden
/// control stays refused when its request is forged), and every API endpoint names its action
/// (<c>.Requires(HubAction.X)</c>), whose policy is this same <see cref="Allows"/>. Roles nest: admin ⊃ manage ⊃ view.</summary>
internal static class Permissions
{
    private static readonly Dictionary<HubAction, string> Needed = new()
    {
        [HubAction.ViewFleet] = Roles.View,
        [HubAction.CreateProduct] = Roles.Manage,
        [HubAction.ProvisionDevice] = Roles.Manage,
        [HubAction.RevokeDevice] = Roles.Manage,
        [HubAction.RebootDevice] = Roles.Manage,
        [HubAction.IdentifyDevice] = Roles.Manage,
        [HubAction.CancelUpdate] = Roles.Manage,
        [HubAction.SetMaintenance] = Roles.Manage,
        [HubAction.UploadFirmware] = Roles.Manage,
        [HubAction.DeleteFirmware] = Roles.Manage,
        [HubAction.CreateDeployment] = Roles.Manage,
        [HubAction.ChangeDeployment] = Roles.Manage,
        [HubAction.PauseGroup] = Roles.Manage,
        [HubAction.ResumeGroup] = Roles.Manage,
        [HubAction.ChangeGroupFirmware] = Roles.Manage,
        [HubAction.ClearPenaltyBox] = Roles.Manage,
        [HubAction.PushUpdate] = Roles.Manage,
        [HubAction.ClearQuarantine] = Roles.Manage,
        [HubAction.ManageSigningKeys] = Roles.Admin,
        [HubAction.ManageTrust] = Roles.Admin,
        [HubAction.ManageUsers] = Roles.Admin,
    };

    public static string RoleFor(HubAction action) => Needed.TryGetValue(action, out var role) ? role : Roles.Admin;

    /// <summary>Fail closed: an unauthenticated user, or an action missing from the table, is refused.</summary>
    public static bool Allows(ClaimsPrincipal user, HubAction action) =>
        user.Identity?.IsAuthenticated == true && Needed.TryGetValue(action, out var role) && user.IsInRole(role);

    public static string PolicyFor(HubAction action) => "action:" + action;

    /// <summary>One authorization policy per action, deciding exactly as <see cref="Allows"/> does.</summary>
    public static void AddActionPolicies(this AuthorizationOptions options)
    {
        foreach (var action in Enum.GetValues<HubAction>())
        {
            options.AddPolicy(PolicyFor(action), p => p.RequireAuthenticatedUser().RequireAssertion(c => Allows(c.User, action)));
        }
    }
}
