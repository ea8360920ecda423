using Semver;

namespace Fleet.Protocol.Bundles;

/// <summary>What the person creating a bundle says about it; the payload part of the manifest is computed.</summary>
public sealed record BundleSpec
{
    public required string Product { get; init; }

    public required SemVersion Version { get; init; }

    public required string Platform { get; init; }

    public required string Architecture { get; init; }

    public string Author { get; init; } = "";

    public string Vcs { get; init; } = "";

    public string Description { get; init; } = "";

    public IReadOnlyDictionary<string, string> Misc { get; init; } = new Dictionary<string, string>();

    public bool AllowDowngrade { get; init; }

    /// <summary>Null means now. Fix it for reproducible bundles (same inputs, same bytes, same uuid).</summary>
    public DateTimeOffset? Created { get; init; }
}
