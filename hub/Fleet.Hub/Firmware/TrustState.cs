namespace Fleet.Hub.Firmware;

/// <summary>A product's stored trust metadata as exact file bytes: every root version ascending and the current
/// targets (null before the first targets PUT). <see cref="Roots"/> is empty for a product without TUF metadata.</summary>
internal sealed record TrustState(string Product, IReadOnlyList<byte[]> Roots, byte[]? Targets, long? RootVersion, long? TargetsVersion)
{
    /// <summary>TUF applies to the product's devices once both a root and targets exist; until then the registered
    /// keys' group bindings decide.</summary>
    public bool IsActive => Roots.Count > 0 && Targets is not null;
}
