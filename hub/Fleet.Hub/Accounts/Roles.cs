namespace Fleet.Hub.Accounts;

/// <summary>The roles a user can hold: view reads; manage changes firmware, deployments, devices and products;
/// admin also manages users, tokens, signing keys and trust. A higher role includes the lower ones. Which action needs
/// which role is <see cref="Permissions"/>, the one permission table.</summary>
internal static class Roles
{
    public const string View = "view";
    public const string Manage = "manage";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [View, Manage, Admin];

    public static bool IsKnown(string role) => All.Contains(role);

    /// <summary>The role itself and every role below it.</summary>
    public static IEnumerable<string> Implied(string role) => role switch
    {
        Admin => [Admin, Manage, View],
        Manage => [Manage, View],
        View => [View],
        _ => [],
    };
}
