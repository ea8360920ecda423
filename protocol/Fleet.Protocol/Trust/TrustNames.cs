using System.Text.RegularExpressions;

namespace Fleet.Protocol.Trust;

/// <summary>Names inside trust metadata, matched whole (<c>\z</c>: a trailing newline is not a name).</summary>
public static partial class TrustNames
{
    public static bool IsRoleName(string name) => RoleName().IsMatch(name);

    /// <summary>The hub's safe alphabet for groups, tags, serials and products.</summary>
    public static bool IsSafeName(string? name) => name is not null && SafeName().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,71}\z")]
    private static partial Regex RoleName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex SafeName();
}
