namespace Fleet.Protocol.Trust;

/// <summary>A delegation in <c>targets.json</c>: a firmware-signing scope. Its keys may sign firmware for the
/// devices its <see cref="Paths"/> cover (<c>groups/NAME/*</c>, <c>tags/NAME/*</c>, <c>devices/SERIAL/*</c>, or
/// <c>*/*/*</c> for any device).</summary>
public sealed record DelegatedRole(string Name, RoleKeys Keys, bool Terminating, IReadOnlyList<string> Paths)
{
    public bool Covers(FirmwareScope scope) => scope.TargetPaths().Any(path => Paths.Any(pattern => TargetPathPattern.Matches(pattern, path)));

    public string DescribePaths() => string.Join(", ", Paths);
}
