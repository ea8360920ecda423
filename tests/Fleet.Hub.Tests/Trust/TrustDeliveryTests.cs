using System.Buffers;
using Fleet.Hub.Tests.Broker;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Trust;

public abstract class TrustDeliveryTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : TrustDeliveryTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : TrustDeliveryTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_connected_device_gets_the_trust_command_when_it_reports_none_and_again_after_a_targets_PUT()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var trust = await TestTrust.ForAsync(Hub, product);
        var root = trust.Root();
        var key = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", root);
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(key, "any")]));
        var tag = Unique.Name("lab");
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product, [tag]);

        var received = new List<TrustUpdate>();
        using var client = await MqttDevice.ConnectAsync(Hub, device);
        client.ApplicationMessageReceivedAsync += async e =>
        {
            var command = FleetJson.TryDeserialize<DeviceCommand>(e.ApplicationMessage.Payload.ToArray());
            if (command?.Name == CommandNames.Trust && command.Args is { } args)
            {
                lock (received)
                {
                    received.Add(System.Text.Json.JsonSerializer.Deserialize(args, FleetJson.Default.TrustUpdate)!);
                }
            }

            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(e.ApplicationMessage.ResponseTopic)
                .WithCorrelationData(e.ApplicationMessage.CorrelationData).WithPayload(FleetJson.Serialize(new CommandResponse(true)))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        };
        await client.SubscribeAsync(Topics.Command(device.Serial), MqttQualityOfServiceLevel.AtLeastOnce);

        // A device still on its provisioned trusted keys reports no trust versions.
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status(device.Serial))
            .WithPayload(FleetJson.Serialize(new StatusMessage(true, null, "a", "growing", 1, DateTimeOffset.UtcNow))).WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await Eventually.Until(() => Versions(received).Contains(1), "the trust command with targets v1");

        var v2 = trust.Targets(2, [(key, "any"), (SigningKey.Generate(), $"tag:{tag}")]);
        await trust.PutOkAsync(Hub, "targets", v2);
        await Eventually.Until(() => Versions(received).Contains(2), "the trust command with targets v2");

        TrustUpdate latest;
        lock (received)
        {
            latest = received.Last(u => TargetsVersion(u) == 2);
        }

        Assert.Equal(v2, Convert.FromBase64String(latest.TargetsBase64));
        Assert.Equal(root, Convert.FromBase64String(Assert.Single(latest.RootsBase64)));
        Assert.Equal([tag], latest.Tags);
    }

    private static List<long> Versions(List<TrustUpdate> received)
    {
        lock (received)
        {
            return [.. received.Select(TargetsVersion)];
        }
    }

    private static long TargetsVersion(TrustUpdate u) =>
        Fleet.Protocol.Trust.SignedEnvelope.Parse(Convert.FromBase64String(u.TargetsBase64), "targets").Signed["version"]!.GetValue<long>();
}
