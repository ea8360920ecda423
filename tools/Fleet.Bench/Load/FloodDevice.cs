using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Bench.Load;

/// <summary>A hostile device: its own provisioned certificate, publishing as fast as the hub admits (8 QoS 1
/// publishes in flight, each the next of a fixed 200-message mix) malformed JSON, messages that fail validation,
/// payloads over their kind's limit (<see cref="DeviceTopicLimits"/>), one packet in 200 over
/// <see cref="DeviceTopicLimits.MaxPacketBytes"/>, unknown kinds, retained junk and valid events far over the events
/// rate. None of it is a valid telemetry reading, so the good devices' stored count and lag stay theirs alone. When
/// the hub drops its connection it counts a disconnect and connects again.</summary>
internal sealed class FloodDevice(BenchHub hub, string serial, X509Certificate2 identity)
{
    private const int Lanes = 8;
    private readonly MqttApplicationMessage[] _cycle = Cycle(serial);
    private long _next = -1;
    private long _sent;
    private long _pubackRefused;
    private long _disconnects;
    private long _connectFailures;

    /// <summary>Messages the hub answered with a PUBACK (any reason code).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Of those, PUBACKs with a reason code other than success (refused at the broker).</summary>
    public long PubackRefused => Interlocked.Read(ref _pubackRefused);

    /// <summary>Times the connection was lost while flooding (closed by the hub).</summary>
    public long Disconnects => Interlocked.Read(ref _disconnects);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Floods until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var options = BenchFleet.ClientOptions(hub, serial, identity);
        while (!stop.IsCancellationRequested)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            try
            {
                var result = await client.ConnectAsync(options, stop);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    Interlocked.Increment(ref _connectFailures);
                    await Pause(stop);
                    continue;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _connectFailures);
                await Pause(stop);
                continue;
            }

            await Task.WhenAll(Enumerable.Range(0, Lanes).Select(_ => LaneAsync(client, stop)));
            if (stop.IsCancellationRequested)
            {
                try
                {
                    await client.DisconnectAsync();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                }

                return;
            }

            Interlocked.Increment(ref _disconnects);
        }
    }

    private async Task LaneAsync(IMqttClient client, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && client.IsConnected)
        {
            var message = _cycle[Interlocked.Increment(ref _next) % _cycle.Length];
            try
            {
                var result = await client.PublishAsync(message, stop);
                Interlocked.Increment(ref _sent);
                if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
                {
                    Interlocked.Increment(ref _pubackRefused);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The connection is gone (the hub closed it, or the run ended): the supervisor reconnects.
                return;
            }
        }
    }

    private static async Task Pause(CancellationToken stop)
    {
        try
        {
            await Task.Delay(100, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>200 messages in a fixed shuffled order; counts per class out of 200 in the comments.</summary>
    private static MqttApplicationMessage[] Cycle(string serial)
    {
        var telemetryLimit = DeviceTopicLimits.For(Topics.TelemetryKind)!.MaxBytes;
        var eventsLimit = DeviceTopicLimits.For(Topics.EventsKind)!.MaxBytes;
        var oversizedTelemetry = Filler(telemetryLimit + 1);
        var oversizedEvent = Filler(eventsLimit + 1);
        var overPacket = Filler(DeviceTopicLimits.MaxPacketBytes + 1);
        var junk = Filler(1024);
        var validEvent = FleetJson.Serialize(new DeviceEvent(EventKinds.Tank, "flood", DateTimeOffset.UtcNow, Detail: "over the events rate"));
        var messages = new List<MqttApplicationMessage>();
        void Add(int count, Func<int, MqttApplicationMessage> make)
        {
            for (var i = 0; i < count; i++)
            {
                messages.Add(make(i));
            }
        }

        MqttApplicationMessage Message(string topic, byte[] payload, bool retain = false) =>
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

        // Malformed JSON on telemetry (30), truncated or not JSON at all.
        Add(30, i => Message(Topics.Telemetry(serial), Encoding.UTF8.GetBytes(i % 2 == 0 ? "{\"sequence\":12,\"readings\":[{\"sensor\":" : "not json \u0000\u00ff")));
        // JSON that fails validation (20): no readings; a null sensor between good-looking readings; a negative sequence.
        Add(20, i => Message(Topics.Telemetry(serial), Encoding.UTF8.GetBytes((i % 3) switch
        {
            0 => "{\"sequence\":7}",
            1 => $"{{\"sequence\":{i + 1},\"readings\":[{{\"sensor\":\"water_temperature\",\"value\":20,\"unit\":\"C\",\"ts\":\"2026-01-01T00:00:00Z\"}},{{\"sensor\":null,\"value\":1,\"unit\":\"C\",\"ts\":\"2026-01-01T00:00:00Z\"}}]}}",
            _ => "{\"sequence\":-5,\"readings\":[]}",
        })));
        // Over the kind's limit (14): telemetry just over 256 KiB, events just over 8 KiB.
        Add(4, _ => Message(Topics.Telemetry(serial), oversizedTelemetry));
        Add(10, _ => Message(Topics.Events(serial), oversizedEvent));
        // Unknown kinds (40), half of them retained 1 KiB junk under junk/N.
        Add(40, i => Message($"{Topics.DevicePrefix(serial)}junk/{i}", junk, retain: i % 2 == 0));
        // Retained where only status may be (40): telemetry and events.
        Add(40, i => Message(i % 2 == 0 ? Topics.Telemetry(serial) : Topics.Events(serial), Encoding.UTF8.GetBytes("{\"sequence\":1,\"readings\":[]}"), retain: true));
        // Valid events far over the events rate (30).
        Add(30, _ => Message(Topics.Events(serial), validEvent));
        // Malformed chunk requests (25): not JSON, and asking for chunks of firmware never offered.
        Add(25, i => Message(Topics.FirmwareRequest(serial), Encoding.UTF8.GetBytes(i % 2 == 0 ? "{\"uuid\":" : $"{{\"uuid\":\"{Guid.NewGuid()}\",\"indexes\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63]}}")));
        // One packet over the maximum packet size (1): the hub closes the connection.
        Add(1, _ => Message(Topics.Telemetry(serial), overPacket));
        var random = new Random(13);
        return [.. messages.OrderBy(_ => random.Next())];
    }

    private static byte[] Filler(int bytes)
    {
        var payload = new byte[bytes];
        Array.Fill(payload, (byte)'x');
        return payload;
    }
}
