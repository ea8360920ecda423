namespace Fleet.Hub.Audit;

/// <summary>Who asked for a change: a user (and the API token it used, if any), or the hub itself.</summary>
internal sealed record Actor(string Name, string? Token = null)
{
    public static readonly Actor Hub = new("hub");

    public override string ToString() => Token is null ? Name : $"{Name} (token {Token})";
}
