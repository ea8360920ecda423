using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>A deployment group's rollout survives the death of the node orchestrating it (docs/scale-out.md). Its own
/// cluster: this test kills one of the two nodes.</summary>
public sealed class TakeoverTests(TakeoverCluster takeover, ITestOutputHelper output) : IClassFixture<TakeoverCluster>
{
    private const int Devices = 10;

    private HubCluster Cluster => takeover.Cluster;

    [Fact]
    public async Task Kill_9_of_the_node_running_a_rollout_lets_the_other_node_finish_it_and_no_device_updates_twice()
    {
        var a = Cluster.Nodes[0];
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(a);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(a, product, "release", key);
        var (uploadStatus, uploaded) = await TestBundles.UploadAsync(a, await TestBundles.CreateAsync(dir.Path, product, "1.0.1", key, payloadBytes: 300_000), product);
        Assert.True(uploadStatus == 201, uploaded.ToString());
        var target = uploaded.GetProperty("uuid").GetString()!;
        var identities = await Task.WhenAll(Enumerable.Range(0, Devices).Select(i => DeviceIdentity.ProvisionAsync(a, $"{product}-{i:00}", product)));

        var devices = new List<UpdatingDevice>();
        try
        {
            foreach (var identity in identities)
            {
                devices.Add(await UpdatingDevice.StartAsync(Cluster, identity, product, key.PublicKey, "1.0.0"));
            }

            await Eventually.Until(async () => await Cluster.ScalarAsync($"""
                SELECT count(*) FROM "Devices" WHERE "Serial" LIKE '{product}-%' AND "Online" AND "FirmwareVersion" = '1.0.0'
                """) == Devices, "every device online on 1.0.0 in the hub's registry");

            // Two at a time, so the rollout is still under way when its node dies.
            var group = Unique.Name("takeover");
            await a.PostOkAsync("/api/v1/deployments", new { name = group, product, firmware = "1.0.1", maxConcurrent = 2 });
            var groupId = await Cluster.ScalarAsync($"""SELECT "Id" FROM "DeploymentGroups" WHERE "Name" = '{group}'""");

            // The lease holder says so in its log (GroupLeases), once, when it takes the group.
            RunningHub? holder = null;
            await Eventually.Until(() => (holder = Cluster.Nodes.SingleOrDefault(n => n.Process.Lines.Any(l => TookGroup(l, groupId)))) is not null,
                $"one node to report that it orchestrates deployment group {groupId}");
            var survivor = Cluster.Nodes.Single(n => n != holder);

            // The worst moment: the node has recorded an attempt (decided to update a device) but not yet sent its offer.
            // The nodes wait TakeoverCluster.OfferDelay in between, so the test can find that moment and kill in it.
            string? unoffered = null;
            await Eventually.Until(async () =>
            {
                if (await AttemptsAsync(groupId, "Committed") < 2)
                {
                    return false;
                }

                var inFlight = await InFlightSerialsAsync(groupId);
                unoffered = devices.FirstOrDefault(d => inFlight.Contains(d.Serial) && d.OffersOf(target) == 0)?.Serial;
                return unoffered is not null;
            }, "the rollout to be under way (two devices committed) with an attempt recorded whose offer has not left yet", TimeSpan.FromSeconds(120));
            holder!.Process.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            output.WriteLine($"killed node pid {holder.Process.Pid} with {devices.Count(d => d.CommittedAt is not null)} devices committed " +
                $"and the offer to {unoffered} recorded but not sent; the survivor is on port {survivor.HttpPort}");

            await survivor.Process.WaitForLineAsync(l => TookGroup(l, groupId), "the surviving node to take the group over", TimeSpan.FromSeconds(60));
            output.WriteLine($"the survivor logged that it leads the group {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:0.0} s after the kill (or sooner)");
            Assert.True(holder.Process.HasExited, "the killed node is gone");

            // Its supervisor starts it again under its name: Mosquitto kept dealing the dead node its share of the
            // devices' status and events, in its session, and hands them over now (docs/scale-out.md). The group
            // stays with the survivor, which holds the lease.
            var restarted = await Cluster.StartAgainAsync(Cluster.Nodes.ToList().IndexOf(holder));
            output.WriteLine($"the killed node is back (pid {restarted.Process.Pid}) {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:0.0} s after the kill");
            try
            {
                await Eventually.Until(async () => devices.All(d => d.Running.Uuid == target) && await AttemptsAsync(groupId, "Committed") == Devices,
                    "every device to run 1.0.1 and the hub to record every commit", TimeSpan.FromSeconds(120));
            }
            catch (TimeoutException)
            {
                foreach (var d in devices)
                {
                    output.WriteLine($"{d.Serial}: running {d.Running.Version}, offers {d.OffersOf(target)}, downloads {d.UpdatesStartedOf(target)}, " +
                        $"commits {d.CommitsOf(target)}, problems: {string.Join("; ", d.Problems)}");
                }

                foreach (var r in await AttemptRowsAsync(groupId))
                {
                    output.WriteLine($"attempt {r.Serial} {r.State} stage {r.Stage}");
                }

                output.WriteLine($"survivor's log:\n{string.Join('\n', survivor.Process.Lines.TakeLast(80))}");
                throw;
            }

            foreach (var line in survivor.Process.Lines.Where(l => l.Contains(" again: its attempt was recorded", StringComparison.Ordinal)))
            {
                output.WriteLine($"survivor: {line.Trim()}");
            }

            Assert.DoesNotContain(restarted.Process.Lines, l => TookGroup(l, groupId));
            Assert.True(devices.Count(d => d.CommittedAt > killedAt) >= 1, "devices committed after the kill: the survivor carried the rollout on");
            foreach (var device in devices)
            {
                output.WriteLine($"{device.Serial}: offers {device.OffersOf(target)} (repeated while updating: {device.RepeatedOffers}), " +
                    $"downloads {device.UpdatesStartedOf(target)}, commits {device.CommitsOf(target)}, committed at {device.CommittedAt:HH:mm:ss.fff}");
                Assert.True(device.Problems.IsEmpty, $"{device.Serial}: {string.Join("; ", device.Problems)}");

                // "Updated twice" concretely: a second download or a second switch to the new version. An offer repeated
                // while the device was carrying out that same update is a no-op on the device, as on the real agent.
                Assert.Equal(1, device.UpdatesStartedOf(target));
                Assert.Equal(1, device.CommitsOf(target));
                Assert.Equal(0, device.OffersOfRunningFirmware);
                Assert.Equal(1 + device.RepeatedOffers, device.OffersOf(target));
            }

            var attempts = await AttemptRowsAsync(groupId);
            Assert.Equal(devices.Select(d => d.Serial).Order(StringComparer.Ordinal), attempts.Select(r => r.Serial).Order(StringComparer.Ordinal));
            Assert.All(attempts, r => Assert.Equal(("Committed", target), (r.State, r.FirmwareUuid)));
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }

    private static bool TookGroup(string line, long groupId) =>
        line.TrimEnd().EndsWith($"now orchestrates deployment group {groupId}", StringComparison.Ordinal);

    private Task<long> AttemptsAsync(long groupId, string state) =>
        Cluster.ScalarAsync($"""SELECT count(*) FROM "RolloutAttempts" WHERE "DeploymentGroupId" = {groupId} AND "State" = '{state}'""");

    private async Task<HashSet<string>> InFlightSerialsAsync(long groupId) =>
        [.. (await AttemptRowsAsync(groupId)).Where(r => r.State == "InFlight").Select(r => r.Serial)];

    private async Task<List<(string Serial, string State, string FirmwareUuid, string Stage)>> AttemptRowsAsync(long groupId)
    {
        await using var connection = new NpgsqlConnection(Cluster.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT "Serial", "State", "FirmwareUuid", "Stage" FROM "RolloutAttempts" WHERE "DeploymentGroupId" = {groupId}
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }
}
