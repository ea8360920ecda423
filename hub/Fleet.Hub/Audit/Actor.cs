namespace Fleet.Hub.Audit;

/// <summary>Who asked for a change: an account name from the API token, or the hub itself.</summary>
internal sealed record Actor(string Name)
{
    public static readonly Actor Hub = new("hub");

    /// <summary>A client that has not authenticated (a failed sign-in). The parentheses keep it apart from every
    /// user name, which cannot contain them.</summary>
    public static readonly Actor Anonymous = new("(anonymous)");

    public override string ToString() => Name;
}
