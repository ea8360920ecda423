using System.Security.Claims;
using Fleet.Hub.Accounts;

namespace Fleet.Hub.Web;

/// <summary>The one permission table of the web UI. Pages ask it whether to show a control
/// (<c>&lt;Allowed&gt;</c>) and <see cref="UiActions"/> asks it again before doing anything, so a hidden control
/// stays refused even when its request is forged. Roles nest (admin ⊃ manage ⊃ view), as for API tokens.</summary>
internal static class Permissions
{
    private static readonly Dictionary<HubAction, string> Needed = new()
    {
        [HubAction.PauseGroup] = Roles.Manage,
        [HubAction.ResumeGroup] = Roles.Manage,
        [HubAction.ChangeGroupFirmware] = Roles.Manage,
        [HubAction.ClearPenaltyBox] = Roles.Manage,
        [HubAction.RebootDevice] = Roles.Manage,
        [HubAction.IdentifyDevice] = Roles.Manage,
        [HubAction.SetMaintenance] = Roles.Manage,
        [HubAction.UploadFirmware] = Roles.Manage,
        [HubAction.CreateUser] = Roles.Admin,
    };

    public static string RoleFor(HubAction action) => Needed[action];

    /// <summary>Fail closed: an unauthenticated user, or an action missing from the table, is refused.</summary>
    public static bool Allows(ClaimsPrincipal user, HubAction action) =>
        user.Identity?.IsAuthenticated == true && Needed.TryGetValue(action, out var role) && user.IsInRole(role);
}
