namespace Fleet.Protocol.Trust;

/// <summary>Where a release is going: one device, named by serial, with its tags and the deployment group the offer
/// comes from (null for a push to the device alone). A signing key's delegation covers the release when one of its
/// path patterns matches one of <see cref="TargetPaths"/>.</summary>
public sealed record FirmwareScope(string Product, string Version, string Serial, string? Group, IReadOnlyList<string> Tags)
{
    public IEnumerable<string> TargetPaths()
    {
        var name = TargetName;
        yield return $"devices/{Serial}/{name}";
        if (Group is not null)
        {
            yield return $"groups/{Group}/{name}";
        }

        foreach (var tag in Tags)
        {
            yield return $"tags/{tag}/{name}";
        }
    }

    public string TargetName => $"{Product}-{Version}".Replace('/', '_');

    public string Describe() =>
        $"device {Serial}" + (Group is null ? string.Empty : $" in group '{Group}'") + (Tags.Count == 0 ? " (no tags)" : $" (tags {string.Join(", ", Tags)})");
}
