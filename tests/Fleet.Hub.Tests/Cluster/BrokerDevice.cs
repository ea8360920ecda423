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

    /// <summary>Whether Mosquitto still holds a session for hub node <paramref name="nodeName"/>: connects under the
    /// node's client id and certificate without clean start, then ends the session it may have resumed.</summary>
    public static async Task<bool> HubSessionPresentAsync(HubCluster cluster, RunningHub node, string nodeName)
    {
        using var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(node.DataDir, "broker-client.crt"), Path.Combine(node.DataDir, "broker-client.key"));
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", cluster.BrokerPort)
            .WithClientId($"@fleet-hub/{nodeName}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(60)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithTlsOptions(tls => tls.UseTls()
                .WithTargetHost("localhost")
                .WithTrustChain([cluster.Nodes[0].CaCertificate])
                .WithRevocationMode(X509RevocationMode.NoCheck)
                .WithClientCertificates([certificate]))
            .Build();
        var result = await client.ConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await client.DisconnectAsync(new MqttClientDisconnectOptions { SessionExpiryInterval = 0 });
        return result.IsSessionPresent;
    }

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
