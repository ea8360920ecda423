namespace Fleet.Hub.Tests.Cluster;

/// <summary>A <see cref="HubCluster"/> of its own for the takeover test (it kills a node), whose nodes wait
/// <see cref="OfferDelay"/> between recording an update attempt and sending its offer (the hub's
/// <c>FLEET_TEST_OFFER_DELAY_MS</c> hook), so the test can kill the orchestrating node inside that gap.</summary>
public sealed class TakeoverCluster : IAsyncLifetime
{
    public static readonly TimeSpan OfferDelay = TimeSpan.FromMilliseconds(1500);

    public HubCluster Cluster { get; } = new(new Dictionary<string, string?> { ["FLEET_TEST_OFFER_DELAY_MS"] = OfferDelay.TotalMilliseconds.ToString("0") });

    public Task InitializeAsync() => Cluster.InitializeAsync();

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
