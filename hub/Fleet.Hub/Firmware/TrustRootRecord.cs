namespace Fleet.Hub.Firmware;

/// <summary>One version of a product's <c>root.json</c>, exact bytes. Every version is kept: a device or TUF client
/// that holds an old root walks the chain one version at a time.</summary>
internal sealed class TrustRootRecord
{
    public int Id { get; set; }
    public int ProductId { get; set; }
    public long Version { get; set; }
    public required byte[] Json { get; set; }
    public DateTimeOffset Expires { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
