using System.Buffers;
using System.Text.Json;
using Fleet.Hub.Tests.Broker;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Trust;

public abstract class OfferTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : OfferTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : OfferTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_pushed_offer_carries_the_stored_downgrade_permit_for_the_devices_installed_version_and_no_group()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var trust = await TestTrust.ForAsync(Hub, product);
        var release = SigningKey.Generate();
        await trust.PutOkAsync(Hub, "root", trust.Root());
        await trust.PutOkAsync(Hub, "targets", trust.Targets(1, [(release, "any")]));
        var (_, uploaded) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.1.0", release), product);
        var uuid = uploaded.GetProperty("uuid").GetString()!;
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        var offers = new List<UpdateOffer>();
        using var client = await ListenAsync(device, offers);
        await OnlineOnAsync(client, device, product, "1.2.0");

        var permit = SignedEnvelope.Sign(new DowngradePermit(product, uuid, "1.1.0", ["1.2.0"], DateTimeOffset.UtcNow.AddDays(7)).ToSigned(), [release]);
        var content = new ByteArrayContent(permit);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var (stored, body) = await HubApi.SendAsync(Hub, HttpMethod.Post, $"/api/v1/firmware/{uuid}/permits", content);
        Assert.True(stored == 201, body.ToString());
        var (pushed, problem) = await HubApi.PostAsync(Hub, $"/api/v1/devices/{device.Serial}/update", new { firmware = "1.1.0" });
        Assert.True(pushed == 202, problem.ToString());
        Assert.Equal("in_flight", problem.GetProperty("state").GetString());

        await Eventually.Until(() => { lock (offers) { return offers.Count == 1; } }, "the update offer");
        UpdateOffer offer;
        lock (offers)
        {
            offer = offers[0];
        }

        Assert.Null(offer.Group);
        Assert.Equal(permit, Convert.FromBase64String(offer.PermitBase64!));
    }

    [Fact]
    public async Task A_permit_signed_by_a_key_the_trust_rules_do_not_list_is_refused()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var release = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(Hub, product, "release", release);
        var (_, uploaded) = await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.1.0", release), product);
        var uuid = uploaded.GetProperty("uuid").GetString()!;
        var permit = SignedEnvelope.Sign(new DowngradePermit(product, uuid, "1.1.0", ["1.2.0"], DateTimeOffset.UtcNow.AddDays(7)).ToSigned(), [SigningKey.Generate()]);
        var content = new ByteArrayContent(permit);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var (status, problem) = await HubApi.SendAsync(Hub, HttpMethod.Post, $"/api/v1/firmware/{uuid}/permits", content);

        Assert.Equal(400, status);
        Assert.Equal(nameof(TrustFailure.UnknownSigner), problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_orchestrator_holds_back_an_offer_whose_signer_was_revoked_after_the_release_and_audits_it()
    {
        using var dir = new TempDir();
        var product = await HubApi.CreateProductAsync(Hub);
        var key = SigningKey.Generate();
        var name = Unique.Name("release");
        await TestBundles.RegisterKeyAsync(Hub, product, name, key);
        await TestBundles.UploadAsync(Hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.1", key), product);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        await Hub.PostOkAsync("/api/v1/deployments", new { name = Unique.Name("fleet"), product, firmware = "1.0.1" });
        var (revoked, body) = await HubApi.SendAsync(Hub, HttpMethod.Delete, $"/api/v1/keys/{name}?product={product}", null);
        Assert.True(revoked == 200, body.ToString());

        var offers = new List<UpdateOffer>();
        using var client = await ListenAsync(device, offers);
        await OnlineOnAsync(client, device, product, "1.0.0");

        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, "/api/v1/audit?limit=200")).EnumerateArray()
            .Any(e => e.GetProperty("action").GetString() == "firmware.scope_refused" && e.GetProperty("details").GetString()!.Contains(device.Serial)),
            "the held-back offer to be audited");
        Assert.Empty((await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}/rollout-attempts")).EnumerateArray());
        lock (offers)
        {
            Assert.Empty(offers);
        }
    }

    private async Task<IMqttClient> ListenAsync(DeviceIdentity device, List<UpdateOffer> offers)
    {
        var client = await MqttDevice.ConnectAsync(Hub, device);
        client.ApplicationMessageReceivedAsync += async e =>
        {
            var command = FleetJson.TryDeserialize<DeviceCommand>(e.ApplicationMessage.Payload.ToArray());
            if (command?.Name == CommandNames.Update && command.Args is { } args)
            {
                lock (offers)
                {
                    offers.Add(JsonSerializer.Deserialize(args, FleetJson.Default.UpdateOffer)!);
                }
            }

            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(e.ApplicationMessage.ResponseTopic)
                .WithCorrelationData(e.ApplicationMessage.CorrelationData).WithPayload(FleetJson.Serialize(new CommandResponse(true)))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        };
        await client.SubscribeAsync(Topics.Command(device.Serial), MqttQualityOfServiceLevel.AtLeastOnce);
        return client;
    }

    private async Task OnlineOnAsync(IMqttClient client, DeviceIdentity device, string product, string version)
    {
        var status = new StatusMessage(true, new FirmwareIdentity(Guid.NewGuid().ToString("D"), version, product, "sim", "x64"), "a", "growing", 1, DateTimeOffset.UtcNow);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status(device.Serial)).WithPayload(FleetJson.Serialize(status))
            .WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await Eventually.Until(async () => (await HubApi.GetAsync(Hub, $"/api/v1/devices/{device.Serial}")).GetProperty("firmwareVersion").GetString() == version,
            $"{device.Serial} to report {version}");
    }
}
