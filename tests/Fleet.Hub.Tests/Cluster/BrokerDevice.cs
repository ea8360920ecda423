using System.Security.Cryptography.X509Certificates;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Formatter;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>A lightweight simulated device on the cluster's Mosquitto: MQTT 5, its own provisioned certificate.</summary>
internal static class BrokerDevice
{
    public static MqttClientOptions Options(HubCluster cluster, DeviceIdentity device) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", cluster.BrokerPort)
            .WithClientId(device.Serial)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithTlsOptions(tls => tls.UseTls()
                .WithTargetHost("localhost")
                .WithTrustChain([cluster.Nodes[0].CaCertificate])
                .WithRevocationMode(X509RevocationMode.NoCheck)
                .WithClientCertificates([device.Certificate]))
            .Build();

    /// <summary>"Success", or what refused the connection (a TLS alert from the broker shows as an exception).</summary>
    public static async Task<(IMqttClient Client, string Outcome)> TryConnectAsync(HubCluster cluster, DeviceIdentity device)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(Options(cluster, device));
            return (client, result.ResultCode.ToString());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (client, $"refused: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
