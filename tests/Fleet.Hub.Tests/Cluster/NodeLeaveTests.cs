using Fleet.Testing;
using Xunit.Abstractions;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>A hub node taken out of the cluster (<c>--broker-on-stop leave</c>, then SIGTERM) in the middle of a
/// telemetry stream loses nothing and never comes back: it unsubscribes, so Mosquitto deals its share to the other
/// node, stores and acknowledges what it had been handed, and ends its session (docs/scale-out.md, "Taking a node
/// out").</summary>
public sealed class NodeLeaveTests(LeavingNodeCluster cluster, ITestOutputHelper output) : IClassFixture<LeavingNodeCluster>
{
    [Fact]
    public async Task A_node_that_leaves_mid_stream_hands_its_share_to_the_other_and_every_reading_is_stored_exactly_once()
    {
        var product = await HubApi.CreateProductAsync(cluster.Nodes[0]);
        var stream = new ClusterTelemetryStream(cluster, output, product, devices: 10, batchesPerDevice: 200);
        var leaving = cluster.Nodes[0];
        var streaming = await stream.StartOnEveryNodeAsync();

        await Eventually.Until(() => stream.Acknowledged >= stream.Batches / 4 || streaming.IsCompleted, "a quarter of the batches to be acknowledged");
        Assert.False(streaming.IsCompleted, "the stream ended before the node left; the test needs it to leave in the middle of it");
        leaving.Process.Signal(Posix.SigTerm);
        await leaving.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"node a left after {stream.Acknowledged} of {stream.Batches} batches were acknowledged by Mosquitto");
        Assert.Contains(leaving.Process.Lines, l => l.Contains("Left broker", StringComparison.Ordinal) && l.Contains("session ended", StringComparison.Ordinal));

        // Node A does not return: whatever it was dealt after it left would be lost, so B must be getting everything.
        await streaming;
        await stream.AssertStoredExactlyOnceAsync("with the node that left");

        // And Mosquitto holds nothing for it: no session that would collect messages for an hour.
        Assert.False(await BrokerDevice.HubSessionPresentAsync(cluster, leaving, "a"), "Mosquitto still holds a session for the node that left");
    }
}
