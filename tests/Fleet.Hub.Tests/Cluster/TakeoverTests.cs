using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>A deployment group's rollout survives the death of the node orchestrating it (docs/scale-out.md). Its own
/// cluster: this test kills one of the two nodes.</summary>
public sealed class TakeoverTests(HubCluster cluster, ITestOutputHelper output) : IClassFixture<HubCluster>
{
    private const int Devices = 10;

    [Fact]
    public async Task Kill_9_of_the_node_running_a_rollout_lets_the_other_node_finish_it_and_no_device_updates_twice()
    {
        var a = cluster.Nodes[0];
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
                devices.Add(await UpdatingDevice.StartAsync(cluster, identity, product, key.PublicKey, "1.0.0"));
            }

            await Eventually.Until(async () => await cluster.ScalarAsync($"""
                SELECT count(*) FROM "Devices" WHERE "Serial" LIKE '{product}-%' AND "Online" AND "FirmwareVersion" = '1.0.0'
                """) == Devices, "every device online on 1.0.0 in the hub's registry");

            // Two at a time, so the rollout is still under way when its node dies.
            var group = Unique.Name("takeover");
            await a.PostOkAsync("/api/v1/deployments", new { name = group, product, firmware = "1.0.1", maxConcurrent = 2 });
            var groupId = await cluster.ScalarAsync($"""SELECT "Id" FROM "DeploymentGroups" WHERE "Name" = '{group}'""");

            // The lease holder says so in its log (GroupLeases), once, when it takes the group.
            RunningHub? holder = null;
            await Eventually.Until(() => (holder = cluster.Nodes.SingleOrDefault(n => n.Process.Lines.Any(l => TookGroup(l, groupId)))) is not null,
                $"one node to report that it orchestrates deployment group {groupId}");
            var survivor = cluster.Nodes.Single(n => n != holder);

            await Eventually.Until(async () => await AttemptsAsync(groupId, "Committed") >= 2 && await AttemptsAsync(groupId, "InFlight") >= 1,
                "the rollout to be under way: two devices committed, more in flight");
            holder!.Process.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            var committedAtKill = devices.Count(d => d.CommittedAt is not null);
            output.WriteLine($"killed node pid {holder.Process.Pid} with {committedAtKill} devices committed; the survivor is on port {survivor.HttpPort}");

            await survivor.Process.WaitForLineAsync(l => TookGroup(l, groupId), "the surviving node to take the group over", TimeSpan.FromSeconds(60));
            await Eventually.Until(async () => devices.All(d => d.Running.Uuid == target) && await AttemptsAsync(groupId, "Committed") == Devices,
                "every device to run 1.0.1 and the hub to record every commit", TimeSpan.FromSeconds(120));

            Assert.True(holder.Process.HasExited, "the killed node is gone");
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
                Assert.Equal(device.OffersOf(target), 1 + device.RepeatedOffers);
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
        cluster.ScalarAsync($"""SELECT count(*) FROM "RolloutAttempts" WHERE "DeploymentGroupId" = {groupId} AND "State" = '{state}'""");

    private async Task<List<(string Serial, string State, string FirmwareUuid)>> AttemptRowsAsync(long groupId)
    {
        await using var connection = new NpgsqlConnection(cluster.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT "Serial", "State", "FirmwareUuid" FROM "RolloutAttempts" WHERE "DeploymentGroupId" = {groupId}
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }
}
