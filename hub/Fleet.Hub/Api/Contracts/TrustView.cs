using Fleet.Hub.Firmware;

namespace Fleet.Hub.Api;

/// <summary>A product's trust metadata as the contract names it: versions, every root and the current targets as
/// exact bytes (base64), and the hub's online key (SPKI PEM) that a new root must name for snapshot and timestamp.</summary>
internal sealed record TrustView(long? RootVersion, long? TargetsVersion, IReadOnlyList<string> Roots, string? Targets, string OnlineKey)
{
    public static TrustView Of(TrustState s, string onlineKey) =>
        new(s.RootVersion, s.TargetsVersion, [.. s.Roots.Select(Convert.ToBase64String)], s.Targets is null ? null : Convert.ToBase64String(s.Targets), onlineKey);
}
