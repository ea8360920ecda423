using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Formatter;

namespace Fleet.Hub.Tests.Broker;

/// <summary>An MQTTnet client as a device uses it: MQTT 5, mutual TLS, the hub's CA pinned.</summary>
internal static class MqttDevice
{
    public static MqttClientOptions Options(RunningHub hub, string clientId, X509Certificate2? certificate, MqttApplicationMessage? will = null)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", hub.MqttPort)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithTlsOptions(tls =>
            {
                tls.UseTls()
                    .WithTargetHost("localhost")
                    .WithTrustChain([hub.CaCertificate])
                    .WithRevocationMode(X509RevocationMode.NoCheck);
                if (certificate is not null)
                {
                    tls.WithClientCertificates([certificate]);
                }
            });
        if (will is not null)
        {
            builder.WithWillTopic(will.Topic).WithWillPayload(will.Payload.ToArray()).WithWillRetain(will.Retain)
                .WithWillQualityOfServiceLevel(will.QualityOfServiceLevel);
        }

        return builder.Build();
    }

    /// <summary>The CONNACK result code, or "refused: ..." when the TLS handshake or connection was dropped.</summary>
    public static async Task<(IMqttClient Client, string Outcome)> TryConnectAsync(RunningHub hub, string clientId, X509Certificate2? certificate)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(Options(hub, clientId, certificate));
            return (client, result.ResultCode.ToString());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (client, $"refused: {ex.GetType().Name}: {ex.Message}");
        }
    }

    public static async Task<IMqttClient> ConnectAsync(RunningHub hub, DeviceIdentity device, MqttApplicationMessage? will = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options(hub, device.Serial, device.Certificate, will));
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }
}
