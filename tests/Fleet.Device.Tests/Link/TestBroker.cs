using System.Collections.Concurrent;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Fleet.Device.Tests.Link;

/// <summary>A real MQTTnet broker on 127.0.0.1 with a TLS 1.2+ endpoint that requires a client certificate from the
/// test CA whose CN equals the client id (as the hub's broker does), plus a plain loopback endpoint for the test's
/// own observer client, which records everything published under fleet/v1/ and can send commands.</summary>
internal sealed class TestBroker : IAsyncDisposable
{
    private readonly TestPki _pki;
    private readonly int _observerPort;
    private MqttServer? _server;
    private IMqttClient? _observer;

    public TestBroker(TestPki pki, int? tlsPort = null)
    {
        _pki = pki;
        TlsPort = tlsPort ?? Fleet.Testing.FreePort.Next();
        _observerPort = Fleet.Testing.FreePort.Next();
    }

    public int TlsPort { get; }

    public ConcurrentQueue<(string Topic, byte[] Payload, MqttQualityOfServiceLevel Qos, bool Retain)> Published { get; } = new();

    public ConcurrentQueue<string> ConnectedDevices { get; } = new();

    public ConcurrentQueue<MqttApplicationMessage> Responses { get; } = new();

    public async Task StartAsync()
    {
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(_observerPort)
            .WithEncryptedEndpoint()
            .WithEncryptedEndpointBoundIPAddress(IPAddress.Loopback)
            .WithEncryptedEndpointPort(TlsPort)
            .WithEncryptionCertificate(_pki.Server)
            .WithEncryptionSslProtocol(SslProtocols.Tls12 | SslProtocols.Tls13)
            .WithClientCertificate((_, cert, _, _) => cert is not null && _pki.Verifies(X509CertificateLoader.LoadCertificate(cert.GetRawCertData())))
            .WithTlsEndpointReuseAddress()
            .WithDefaultEndpointReuseAddress()
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.ValidatingConnectionAsync += e =>
        {
            if (e.IsSecureConnection)
            {
                var cn = e.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false);
                if (cn is null || cn != e.ClientId)
                {
                    e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
                    return Task.CompletedTask;
                }

                ConnectedDevices.Enqueue(e.ClientId);
            }

            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += e =>
        {
            var m = e.ApplicationMessage;
            if (m.Topic.StartsWith(Topics.Root, StringComparison.Ordinal))
            {
                Published.Enqueue((m.Topic, System.Buffers.BuffersExtensions.ToArray(m.Payload), m.QualityOfServiceLevel, m.Retain));
            }

            return Task.CompletedTask;
        };
        await _server.StartAsync();

        _observer = new MqttClientFactory().CreateMqttClient();
        _observer.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic.Contains("/resp/", StringComparison.Ordinal))
            {
                Responses.Enqueue(e.ApplicationMessage);
            }

            return Task.CompletedTask;
        };
        await _observer.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _observerPort)
            .WithClientId("observer-" + Guid.NewGuid().ToString("N"))
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .Build());
        await _observer.SubscribeAsync("fleet/v1/+/resp/#", MqttQualityOfServiceLevel.AtLeastOnce);
    }

    public async Task StopAsync()
    {
        if (_observer is not null)
        {
            await _observer.DisconnectAsync();
            _observer.Dispose();
            _observer = null;
        }

        if (_server is not null)
        {
            await _server.StopAsync(new MqttServerStopOptions());
            _server.Dispose();
            _server = null;
        }
    }

    public IReadOnlyList<TelemetryBatch> Telemetry(string serial) =>
        Published.Where(p => p.Topic == Topics.Telemetry(serial))
            .Select(p => FleetJson.TryDeserialize<TelemetryBatch>(p.Payload)!)
            .ToList();

    public IReadOnlyList<DeviceEvent> Events(string serial) =>
        Published.Where(p => p.Topic == Topics.Events(serial)).Select(p => FleetJson.TryDeserialize<DeviceEvent>(p.Payload)!).ToList();

    public IReadOnlyList<HealthSummary> Health(string serial) =>
        Published.Where(p => p.Topic == Topics.Health(serial)).Select(p => FleetJson.TryDeserialize<HealthSummary>(p.Payload)!).ToList();

    public async Task<StatusMessage?> RetainedStatusAsync(string serial)
    {
        var m = await _server!.GetRetainedMessageAsync(Topics.Status(serial));
        return m is null ? null : FleetJson.TryDeserialize<StatusMessage>(System.Buffers.BuffersExtensions.ToArray(m.Payload));
    }

    /// <summary>Sends a command as the hub does (QoS 1, response topic under the device, correlation data) and waits for the answer.</summary>
    public async Task<CommandResponse> CommandAsync(string serial, DeviceCommand command)
    {
        var correlation = Guid.NewGuid().ToByteArray();
        await _observer!.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Command(serial))
            .WithPayload(FleetJson.Serialize(command))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithResponseTopic(Topics.Response(serial) + "/" + Guid.NewGuid().ToString("N"))
            .WithCorrelationData(correlation)
            .Build());
        MqttApplicationMessage? answer = null;
        await Fleet.Testing.Eventually.Until(
            () => (answer = Responses.FirstOrDefault(r => r.CorrelationData?.AsSpan().SequenceEqual(correlation) == true)) is not null,
            $"answer to {command.Name}");
        return FleetJson.TryDeserialize<CommandResponse>(System.Buffers.BuffersExtensions.ToArray(answer!.Payload))!;
    }

    /// <summary>Publishes as the hub would (QoS 1), e.g. a firmware chunk with an <c>index</c> user property.</summary>
    public async Task PublishAsync(string topic, byte[] payload, IReadOnlyDictionary<string, string>? userProperties = null)
    {
        var builder = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        foreach (var (k, v) in userProperties ?? new Dictionary<string, string>())
        {
            builder.WithUserProperty(k, new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(v)));
        }

        await _observer!.PublishAsync(builder.Build());
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
