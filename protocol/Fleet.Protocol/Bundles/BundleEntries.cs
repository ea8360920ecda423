namespace Fleet.Protocol.Bundles;

/// <summary>The names of the three ZIP entries a <c>.fwb</c> holds, and nothing else.</summary>
public static class BundleEntries
{
    public const string Manifest = "manifest.json";
    public const string Signatures = "manifest.sig";
    public const string Payload = "payload";

    /// <summary>The default chunk size (DESIGN.md). Every chunk carries its size in the manifest; readers never assume this one.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Payloads beyond <see cref="ChunkSize"/> × this many chunks get larger chunks, so a manifest
    /// (about 90 bytes per chunk) stays well under the 1 MiB limit.</summary>
    public const int MaxChunksPerManifest = 8192;
}
