namespace Fleet.Hub.Audit;

/// <summary>Who asked for a change: an account name from the API token, or the hub itself.</summary>
internal sealed record Actor(string Name)
{
    public static readonly Actor Hub = new("hub");

    public override string ToString() => Name;
}
