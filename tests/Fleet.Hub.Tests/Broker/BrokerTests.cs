using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Broker;

public abstract class BrokerTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : BrokerTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : BrokerTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_provisioned_device_connects_and_its_status_telemetry_and_events_reach_the_registry()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var client = await MqttDevice.ConnectAsync(Hub, device);

        var status = new StatusMessage(true, new FirmwareIdentity(Guid.NewGuid().ToString(), "1.4.2"), "a", "growing", 42, DateTimeOffset.UtcNow);
        await Publish(client, Topics.Status(device.Serial), FleetJson.Serialize(status), retain: true);
        var readings = new[] { new Reading(SensorNames.WaterTemperature, 26.5, "C", DateTimeOffset.UtcNow), new Reading(SensorNames.Ph, 8.1, "pH", DateTimeOffset.UtcNow) };
        await Publish(client, Topics.Telemetry(device.Serial), FleetJson.Serialize(new TelemetryBatch(1, readings)));
        // QoS 1 may deliver a batch twice: the same sequence must be stored once.
        await Publish(client, Topics.Telemetry(device.Serial), FleetJson.Serialize(new TelemetryBatch(1, readings)));
        await Publish(client, Topics.Events(device.Serial), FleetJson.Serialize(new DeviceEvent(EventKinds.Tank, "growing", DateTimeOffset.UtcNow, "initializing -> growing")));

        await Eventually.Until(async () =>
        {
            var d = await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}");
            return d.GetProperty("online").GetBoolean() && d.GetProperty("firmwareVersion").GetString() == "1.4.2"
                && d.GetProperty("activeSlot").GetString() == "a" && d.GetProperty("tankState").GetString() == "growing";
        }, "the device to show online with its reported firmware and slot");
        // The hub also records connects and disconnects as events of its own kind; the device sent one tank event.
        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/events")).EnumerateArray()
            .Count(e => e.GetProperty("kind").GetString() == EventKinds.Tank) == 1, "the event to be stored");
        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/telemetry")).GetArrayLength() == 2, "both readings to be stored");

        await Publish(client, Topics.Telemetry(device.Serial), FleetJson.Serialize(new TelemetryBatch(2, [readings[0]])));
        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/telemetry")).GetArrayLength() == 3, "the next batch to be stored");

        using (var viewer = Hub.Admin())
        {
            var metrics = await viewer.GetStringAsync("/metrics");
            Assert.Matches(@"(?m)^fleet_devices_connected [1-9]", metrics);
            Assert.Matches(@"(?m)^fleet_mqtt_messages_in_total\{kind=""telemetry""\} [3-9]", metrics);
        }

        await client.DisconnectAsync();
        await Eventually.Until(async () => !(await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}")).GetProperty("online").GetBoolean(), "the device to show offline");
    }

    [Fact]
    public async Task A_device_whose_connection_drops_shows_offline_through_its_last_will()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var will = new MqttApplicationMessageBuilder().WithTopic(Topics.Status(device.Serial))
            .WithPayload(FleetJson.Serialize(StatusMessage.Offline(DateTimeOffset.UtcNow))).WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var client = await MqttDevice.ConnectAsync(Hub, device, will);
        await Publish(client, Topics.Status(device.Serial), FleetJson.Serialize(new StatusMessage(true, null, "a", "growing", 1, DateTimeOffset.UtcNow)), retain: true);
        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}")).GetProperty("online").GetBoolean(), "the device to show online");

        // No DISCONNECT packet: the connection just goes away, as when a tank loses power.
        client.Dispose();

        await Eventually.Until(async () => !(await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}")).GetProperty("online").GetBoolean(), "the device to show offline");
    }

    [Fact]
    public async Task A_connection_without_a_client_certificate_is_refused()
    {
        var (client, outcome) = await MqttDevice.TryConnectAsync(Hub, "nobody", certificate: null);
        using (client)
        {
            Assert.StartsWith("refused", outcome);
            Assert.False(client.IsConnected);
        }
    }

    [Fact]
    public async Task A_certificate_from_a_foreign_CA_is_refused_even_for_a_registered_serial()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var (client, outcome) = await MqttDevice.TryConnectAsync(Hub, device.Serial, DeviceIdentity.FromForeignCa(device.Serial));
        using (client)
        {
            Assert.StartsWith("refused", outcome);
            Assert.False(client.IsConnected);
        }
    }

    [Fact]
    public async Task A_client_id_that_differs_from_the_certificate_CN_is_refused()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var other = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var (client, outcome) = await MqttDevice.TryConnectAsync(Hub, other.Serial, device.Certificate);
        using (client)
        {
            Assert.Equal(nameof(MqttClientConnectResultCode.ClientIdentifierNotValid), outcome);
        }
    }

    [Fact]
    public async Task A_certificate_from_the_device_CA_for_an_unregistered_serial_is_refused()
    {
        // Minted here with the hub's own CA key, as a stolen-CA-key or lost-registration case: the registry decides.
        var serial = Unique.Name("ghost");
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(Hub.DataDir, "ca.crt"), Path.Combine(Hub.DataDir, "ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={serial}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));

        var (client, outcome) = await MqttDevice.TryConnectAsync(Hub, serial, DeviceIdentity.WithKey(cert.ExportCertificatePem(), key));
        using (client)
        {
            Assert.Equal(nameof(MqttClientConnectResultCode.NotAuthorized), outcome);
        }
    }

    [Fact]
    public async Task Revoking_a_device_disconnects_it_at_once_and_refuses_it_afterwards()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var client = await MqttDevice.ConnectAsync(Hub, device);
        var dropped = new TaskCompletionSource();
        client.DisconnectedAsync += _ =>
        {
            dropped.TrySetResult();
            return Task.CompletedTask;
        };

        var (status, body) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{device.Serial}/revoke", null);
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("revoked").GetBoolean());
        await dropped.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var (again, outcome) = await MqttDevice.TryConnectAsync(Hub, device.Serial, device.Certificate);
        using (again)
        {
            Assert.Equal(nameof(MqttClientConnectResultCode.Banned), outcome);
        }
    }

    [Fact]
    public async Task A_device_cannot_publish_or_subscribe_under_another_devices_topics()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var mallory = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("mallory"), product);
        var victim = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("victim"), product);
        using var attacker = await MqttDevice.ConnectAsync(Hub, mallory);
        using var target = await MqttDevice.ConnectAsync(Hub, victim);
        var victimGot = new List<string>();
        target.ApplicationMessageReceivedAsync += e =>
        {
            lock (victimGot)
            {
                victimGot.Add(e.ApplicationMessage.Topic);
            }

            return Task.CompletedTask;
        };
        var own = await target.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.Command(victim.Serial), MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, own.Items.Single().ResultCode);

        var publish = await attacker.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Command(victim.Serial)).WithPayload("{\"name\":\"reboot\"}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, publish.ReasonCode);

        foreach (var filter in new[] { $"{Topics.Root}{victim.Serial}/#", "fleet/v1/+/status", "#", "$SYS/#" })
        {
            var sub = await attacker.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, sub.Items.Single().ResultCode);
        }

        // The victim's own round trip still works, which shows its subscription was live while the attack was refused.
        using var hubCommand = Hub.Admin();
        var identify = hubCommand.PostAsync($"/api/v1/devices/{victim.Serial}/identify", null);
        await Eventually.Until(() => { lock (victimGot) { return victimGot.Count > 0; } }, "the hub's identify command to reach the victim");
        lock (victimGot)
        {
            Assert.All(victimGot, t => Assert.Equal(Topics.Command(victim.Serial), t));
            Assert.Single(victimGot);
        }

        _ = identify.ContinueWith(t => t.Exception, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_last_will_aimed_at_another_devices_topic_never_reaches_it()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var mallory = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("mallory"), product);
        var victim = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("victim"), product);
        var commands = new List<string>();
        var target = await ListenForCommandsAsync(victim, commands);
        var will = new MqttApplicationMessageBuilder().WithTopic(Topics.Command(victim.Serial))
            .WithPayload(FleetJson.Serialize(new DeviceCommand(CommandNames.Reboot))).WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var attacker = await MqttDevice.ConnectAsync(Hub, mallory, will);

        attacker.Dispose();
        await Eventually.Until(async () => !(await HubApi.GetAsync(Hub, $"/api/v1/devices/{mallory.Serial}")).GetProperty("online").GetBoolean(), "the attacker's connection to be gone");

        // Messages to one session arrive in order: once the hub's identify is in, an earlier will would be too.
        await IdentifyAndWaitAsync(victim, commands, 1);
        await target.DisconnectAsync();
        target.Dispose();
        // A new subscription would get a retained copy first, had the broker stored one.
        using var again = await ListenForCommandsAsync(victim, commands);
        await IdentifyAndWaitAsync(victim, commands, 2);
        lock (commands)
        {
            Assert.Equal([CommandNames.Identify, CommandNames.Identify], commands);
        }
    }

    private async Task<IMqttClient> ListenForCommandsAsync(DeviceIdentity device, List<string> names)
    {
        var client = await MqttDevice.ConnectAsync(Hub, device);
        client.ApplicationMessageReceivedAsync += e =>
        {
            lock (names)
            {
                names.Add(FleetJson.TryDeserialize<DeviceCommand>(e.ApplicationMessage.Payload.ToArray())?.Name ?? "?");
            }

            return Task.CompletedTask;
        };
        await client.SubscribeAsync(Topics.Command(device.Serial), MqttQualityOfServiceLevel.AtLeastOnce);
        return client;
    }

    private async Task IdentifyAndWaitAsync(DeviceIdentity device, List<string> names, int identifies)
    {
        using var http = Hub.Admin();
        // Nobody answers, so the request ends in no_response; only the delivery matters here.
        var pending = http.PostAsync($"/api/v1/devices/{device.Serial}/identify", null);
        await Eventually.Until(() => { lock (names) { return names.Count(n => n == CommandNames.Identify) >= identifies; } }, "the hub's identify to arrive");
        _ = pending.ContinueWith(t => t.Exception, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_command_is_answered_through_the_MQTT5_response_topic_and_correlation_data()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        using var client = await MqttDevice.ConnectAsync(Hub, device);
        client.ApplicationMessageReceivedAsync += async e =>
        {
            var command = FleetJson.TryDeserialize<DeviceCommand>(e.ApplicationMessage.Payload.ToArray());
            await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(e.ApplicationMessage.ResponseTopic)
                .WithCorrelationData(e.ApplicationMessage.CorrelationData)
                .WithPayload(FleetJson.Serialize(new CommandResponse(true, Detail: $"did {command?.Name}")))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        };
        await client.SubscribeAsync(Topics.Command(device.Serial), MqttQualityOfServiceLevel.AtLeastOnce);

        var (status, body) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{device.Serial}/identify", null);
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("ok").GetBoolean());
        Assert.Equal("did identify", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_command_to_an_offline_device_is_refused_with_a_reason()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var (status, body) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{device.Serial}/reboot", null);
        Assert.Equal(503, status);
        Assert.Equal("device_offline", body.GetProperty("code").GetString());
    }

    private static async Task Publish(IMqttClient client, string topic, byte[] payload, bool retain = false)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode} {result.ReasonString}");
    }
}
