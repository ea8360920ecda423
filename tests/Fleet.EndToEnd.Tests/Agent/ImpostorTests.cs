using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Formatter;

namespace Fleet.EndToEnd.Tests.Agent;

/// <summary>A device that presents another provisioned device's certificate is refused by the real hub and counted
/// in <c>fleet_mqtt_connections_refused_total</c>. The agent takes its client id from its certificate's CN and has no
/// setting to change it, so the impostor is an MQTTnet client configured as the agent configures its own.</summary>
public sealed class ImpostorTests
{
    [Fact]
    public async Task A_device_presenting_another_devices_certificate_is_refused_and_counted()
    {
        await using var hub = await RunningHub.StartAsync();
        var product = "algae-" + Guid.NewGuid().ToString("N")[..8];
        await hub.PostOkAsync("/api/v1/products", new { name = product });
        var mine = await DeviceIdentity.ProvisionAsync(hub, "tank-own", product);
        var other = await DeviceIdentity.ProvisionAsync(hub, "tank-other", product);

        var before = await RefusedAsync(hub, "client_id_mismatch");
        using var impostor = new MqttClientFactory().CreateMqttClient();
        var outcome = await ConnectOutcomeAsync(impostor, Options(hub, mine.Serial, other.Certificate));
        Assert.Equal(nameof(MqttClientConnectResultCode.ClientIdentifierNotValid), outcome);
        Assert.False(impostor.IsConnected);
        await Eventually.Until(async () => await RefusedAsync(hub, "client_id_mismatch") == before + 1,
            "the refusal counted in fleet_mqtt_connections_refused_total{reason=\"client_id_mismatch\"}", TimeSpan.FromSeconds(30));

        // Nothing of the refused attempt shows as the device being there.
        using var admin = hub.Admin();
        var device = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/devices/{mine.Serial}")).RootElement;
        Assert.False(device.GetProperty("online").GetBoolean());

        // The same client with the device's own certificate connects: the refusal was about the certificate alone.
        using (var genuine = new MqttClientFactory().CreateMqttClient())
        {
            var ok = await genuine.ConnectAsync(Options(hub, mine.Serial, mine.Certificate));
            Assert.Equal(MqttClientConnectResultCode.Success, ok.ResultCode);
            await genuine.DisconnectAsync();
        }
    }

    private static MqttClientOptions Options(RunningHub hub, string clientId, X509Certificate2 certificate) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", hub.MqttPort)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost("127.0.0.1")
                .WithTrustChain([hub.CaCertificate])
                .WithRevocationMode(X509RevocationMode.NoCheck)
                .WithClientCertificates([certificate]))
            .Build();

    /// <summary>The CONNACK result code, or what went wrong when there was no CONNACK.</summary>
    private static async Task<string> ConnectOutcomeAsync(IMqttClient client, MqttClientOptions options)
    {
        try
        {
            return (await client.ConnectAsync(options)).ResultCode.ToString();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"no CONNACK: {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>The hub's refusal counter for REASON from GET /metrics (0 before the first refusal).</summary>
    private static async Task<double> RefusedAsync(RunningHub hub, string reason)
    {
        using var client = hub.Admin();
        var text = await client.GetStringAsync("/metrics");
        var match = Regex.Match(text, $@"^fleet_mqtt_connections_refused_total\{{reason=""{Regex.Escape(reason)}""\}} (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
