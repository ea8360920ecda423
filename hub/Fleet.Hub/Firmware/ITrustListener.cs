namespace Fleet.Hub.Firmware;

/// <summary>Told after a product's trust metadata changed (a new root or targets was stored). The Firmware context
/// announces; the side that talks to devices subscribes, so Firmware never depends on it.</summary>
internal interface ITrustListener
{
    Task OnTrustChangedAsync(string product, CancellationToken ct);
}
