namespace Fleet.Protocol.Bundles;

/// <summary>The names of the three ZIP entries a <c>.fwb</c> holds, and nothing else.</summary>
public static class BundleEntries
{
    public const string Manifest = "manifest.json";
    public const string Signatures = "manifest.sig";
    public const string Payload = "payload";

    /// <summary>Fixed 64 KiB chunks today (DESIGN.md).</summary>
    public const int ChunkSize = 64 * 1024;
}
