using Fleet.Testing;

namespace Fleet.Hub.Tests.Broker;

/// <summary>Presence is written in bulk, off the connect path: a burst of connects and disconnects must still leave
/// every device in the state of its own last change.</summary>
public abstract class PresenceTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : PresenceTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : PresenceTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Devices_that_connect_and_leave_in_one_burst_each_end_in_their_own_last_state()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var devices = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => DeviceIdentity.ProvisionAsync(Hub, Unique.Name($"tank{i}"), product)));
        var clients = await Task.WhenAll(devices.Select(d => MqttDevice.ConnectAsync(Hub, d)));
        try
        {
            // Half leave again at once: a device's connect and its disconnect can land in the same write.
            await Task.WhenAll(clients.Take(6).Select(c => c.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptions())));

            await Eventually.Until(async () =>
            {
                var online = await Task.WhenAll(devices.Select(async d => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{d.Serial}")).GetProperty("online").GetBoolean()));
                return online.Take(6).All(o => !o) && online.Skip(6).All(o => o);
            }, "the six that left to show offline and the six still connected to show online");

            foreach (var d in devices)
            {
                var seen = (await HubApi.GetAsync(Hub, $"/api/v1/devices/{d.Serial}")).GetProperty("lastSeen");
                Assert.Equal(System.Text.Json.JsonValueKind.String, seen.ValueKind);
            }
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }
}
