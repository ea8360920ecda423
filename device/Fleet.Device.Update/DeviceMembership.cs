namespace Fleet.Device.Update;

/// <summary>The tags and deployment groups the hub last told this device it has: what key scopes are checked against.</summary>
public sealed record DeviceMembership(IReadOnlyList<string> Tags, IReadOnlyList<string> Groups)
{
    public static DeviceMembership None { get; } = new([], []);
}
