namespace Fleet.Hub.Audit;

/// <summary>Who asked for a change: a user (and the API token it used, if any), or the hub itself.
/// <see cref="IsAdmin"/> says whether the caller holds the admin role: a few rules (such as who may set the reach of
/// a group that a group-scoped key ships to) depend on it inside the facades, not only at the endpoint.</summary>
internal sealed record Actor(string Name, string? Token = null, bool IsAdmin = false)
{
    public static readonly Actor Hub = new("hub");

    /// <summary>A client that has not authenticated (a failed sign-in). The parentheses keep it apart from every
    /// user name, which cannot contain them.</summary>
    public static readonly Actor Anonymous = new("(anonymous)");

    public override string ToString() => Token is null ? Name : $"{Name} (token {Token})";
}
