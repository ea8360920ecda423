using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Fleet.Hub.Pki;
using Fleet.Protocol;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace Fleet.Hub.Broker;

/// <summary>The embedded broker's MQTT-over-TLS listener. MQTTnet's own reads a whole packet into memory before
/// anything can look at it (up to 256 MiB per client); this one hands MQTTnet a stream that refuses a packet as soon
/// as its fixed header announces more than <see cref="DeviceTopicLimits.MaxPacketBytes"/>, so a hostile device costs
/// the hub at most one legitimate packet. TLS: the certificate the hub presents now, client certificates required
/// and checked by the broker's callback, a bounded handshake.</summary>
internal sealed class DeviceTlsListener(IPAddress address, int port, int backlog, HubPki pki, RemoteCertificateValidationCallback validateClient, ILogger log)
    : IMqttServerAdapter
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private MqttServerOptions? _options;
    private IMqttNetLogger? _logger;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _options = options;
        _logger = logger;
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(new IPEndPoint(address, port));
        _socket.Listen(backlog);
        _ = Task.Run(AcceptLoopAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _stop.Cancel();
        _socket?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket?.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                log.LogWarning("MQTT accept failed: {Error}", ex.SocketErrorCode);
                continue;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(Socket client)
    {
        client.NoDelay = true;
        var remote = client.RemoteEndPoint!;
        var local = client.LocalEndPoint!;
        var network = new NetworkStream(client, ownsSocket: true);
        var tls = new SslStream(network, leaveInnerStreamOpen: false, validateClient);
        try
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshake.CancelAfter(HandshakeTimeout);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = pki.ServerCertificate,
                    ClientCertificateRequired = true,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                }, handshake.Token);
            }

            using var clientCertificate = tls.RemoteCertificate is { } c ? X509CertificateLoader.LoadCertificate(c.GetRawCertData()) : null;
            var guarded = new PacketSizeGuard(tls, DeviceTopicLimits.MaxPacketBytes);
            using var channel = new MqttTcpChannel(guarded, local, remote, clientCertificate);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(_options!.WriterBufferSize, _options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, _logger!);
            if (ClientHandler is { } handler)
            {
                await handler(adapter);
            }
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            log.LogDebug("MQTT connection from {Remote} closed: {Error}", remote, ex.Message);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "MQTT connection from {Remote} failed", remote);
        }
        finally
        {
            await tls.DisposeAsync();
        }
    }
}
