using Fleet.Testing;
using Xunit.Abstractions;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>A hub node killed with SIGKILL in the middle of a telemetry stream loses nothing (docs/scale-out.md,
/// "When a node dies"). Its own cluster: this test kills one of the two nodes.</summary>
public sealed class NodeLossTests(HubCluster cluster, ITestOutputHelper output) : IClassFixture<HubCluster>
{
    [Fact]
    public async Task Kill_9_of_a_node_mid_stream_and_its_restart_under_the_same_name_store_every_reading_exactly_once()
    {
        var product = await HubApi.CreateProductAsync(cluster.Nodes[0]);
        var stream = new ClusterTelemetryStream(cluster, output, product, devices: 10, batchesPerDevice: 200);
        var victim = cluster.Nodes[0];
        var handledBefore = await ClusterTelemetryStream.HandledBatchesAsync(victim);
        var streaming = await stream.StartOnEveryNodeAsync();

        // Mid-stream: both nodes are busy with batches when one dies, its drain queue and its broker window full.
        await Eventually.Until(() => stream.Acknowledged >= stream.Batches / 4 || streaming.IsCompleted, "a quarter of the batches to be acknowledged");
        Assert.False(streaming.IsCompleted, "the stream ended before the kill; the test needs a node to die in the middle of it");
        var handledBeforeKill = await ClusterTelemetryStream.HandledBatchesAsync(victim) - handledBefore;
        victim.Process.Kill();
        output.WriteLine($"killed node a (pid {victim.Process.Pid}) after {stream.Acknowledged} of {stream.Batches} batches were acknowledged by Mosquitto; it had handled {handledBeforeKill}");

        // The devices go on publishing while the node is down: Mosquitto keeps dealing it its share.
        await Eventually.Until(() => stream.Acknowledged >= stream.Batches / 2 || streaming.IsCompleted, "half of the batches to be acknowledged");
        var storedWhileDown = await stream.StoredReadingsAsync();
        var restarted = await cluster.StartAgainAsync(0);
        var resumed = restarted.Process.Lines.Any(l => l.Contains("Joined broker", StringComparison.Ordinal) && l.Contains("session resumed", StringComparison.Ordinal));
        output.WriteLine($"node a is back (pid {restarted.Process.Pid}), session resumed: {resumed}; {storedWhileDown} of {stream.Expected} readings were stored before it returned");
        await streaming;

        await stream.AssertStoredExactlyOnceAsync("with the killed node");
        output.WriteLine($"the restarted node handled {await ClusterTelemetryStream.HandledBatchesAsync(restarted)} batches (what Mosquitto had kept in its session)");

        // The mechanism: Mosquitto kept the node's session for its name, and the node picked it up again.
        Assert.True(resumed, "the restarted node should log that it resumed its broker session");
    }
}
