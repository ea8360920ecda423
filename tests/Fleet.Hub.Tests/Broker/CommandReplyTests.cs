using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Broker;

public abstract class CommandReplyTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : CommandReplyTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : CommandReplyTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_reply_from_another_device_carrying_the_right_correlation_id_does_not_answer_the_command()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var asked = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var other = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var impostor = await MqttDevice.ConnectAsync(Hub, other);
        using var target = await MqttDevice.ConnectAsync(Hub, asked);
        var forged = 0;
        target.ApplicationMessageReceivedAsync += async e =>
        {
            // The asked device stays silent; the other one answers on its own reply topic with the stolen correlation.
            var answer = await impostor.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Response(other.Serial))
                .WithCorrelationData(e.ApplicationMessage.CorrelationData).WithPayload(FleetJson.Serialize(new CommandResponse(true, Detail: "forged")))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(answer.IsSuccess);
            Interlocked.Increment(ref forged);
        };
        await target.SubscribeAsync(Topics.Command(asked.Serial), MqttQualityOfServiceLevel.AtLeastOnce);

        var (status, body) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{asked.Serial}/identify", null);

        Assert.Equal(1, Volatile.Read(ref forged));
        Assert.Equal(503, status);
        Assert.Equal("no_response", body.GetProperty("code").GetString());
    }
}
