using Fleet.Device.Configuration;
using Fleet.Device.Storage;
using Fleet.Device.Tank;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Device.Link;

/// <summary>What the device sends while connected: the retained status when due (every status interval, and at once
/// when something it reports changed), then queued events, then spooled telemetry, oldest first. A message leaves its
/// queue only once the hub acknowledged it.</summary>
internal sealed class OutboundPump : IDisposable
{
    private readonly LinkProfile _profile;
    private readonly TelemetrySpool _spool;
    private readonly EventOutbox _events;
    private readonly TankController _tank;
    private readonly IFirmwareInfo _firmware;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly long _started = TimeProvider.System.GetTimestamp();
    private volatile bool _statusDirty = true;

    public OutboundPump(LinkProfile profile, TelemetrySpool spool, EventOutbox events, TankController tank, IFirmwareInfo firmware,
        HubAnchorPin anchors, TimeProvider clock)
    {
        _profile = profile;
        _spool = spool;
        _events = events;
        _tank = tank;
        _firmware = firmware;
        _clock = clock;
        anchors.Changed += StatusChanged;
        _spool.Appended += Wake;
        _events.Queued += Wake;
        _tank.StateChanged += _ => StatusChanged();
    }

    /// <summary>Something the status reports changed: it goes out now rather than at the next interval.</summary>
    public void StatusChanged()
    {
        _statusDirty = true;
        Wake();
    }

    /// <summary>Ends the pump's wait early (a queued message, a dropped connection).</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Runs until the connection drops or <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(HubConnection connection, IMqttClient client, DeviceIdentity id, CancellationToken ct)
    {
        var statusEvery = TimeSpan.FromSeconds(Math.Max(1, _profile.StatusIntervalSeconds));
        var lastStatus = long.MinValue;
        while (client.IsConnected && !ct.IsCancellationRequested)
        {
            var busy = false;
            if (_statusDirty || lastStatus == long.MinValue || TimeProvider.System.GetElapsedTime(lastStatus) >= statusEvery)
            {
                _statusDirty = false;
                if (!await connection.PublishAsync(Status(id, online: true), ct))
                {
                    _statusDirty = true;
                    continue;
                }

                lastStatus = TimeProvider.System.GetTimestamp();
            }

            if (_events.Reader.TryPeek(out var ev))
            {
                if (await connection.PublishAsync(Message(Topics.Events(id.Serial), FleetJson.Serialize(ev)), ct))
                {
                    _events.Reader.TryRead(out _);
                }

                busy = true;
            }
            else if (_spool.TryPeekOldest(out var seq, out var payload))
            {
                if (await connection.PublishAsync(Message(Topics.Telemetry(id.Serial), payload), ct))
                {
                    _spool.Remove(seq);
                }

                busy = true;
            }

            if (!busy)
            {
                await WaitAsync(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <summary>The retained status: online with what the device runs, or offline.</summary>
    public MqttApplicationMessage Status(DeviceIdentity id, bool online)
    {
        var status = online
            ? new StatusMessage(true, _firmware.Current, _firmware.ActiveSlot, TankStateNames.Of(_tank.State),
                (long)TimeProvider.System.GetElapsedTime(_started).TotalSeconds, _clock.GetUtcNow(), _firmware.Trust, id.HubAnchors.Fingerprint)
            : StatusMessage.Offline(_clock.GetUtcNow());
        return new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Status(id.Serial))
            .WithPayload(FleetJson.Serialize(status))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build();
    }

    public void Dispose() => _wake.Dispose();

    private static MqttApplicationMessage Message(string topic, byte[] payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private async Task WaitAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await _wake.WaitAsync(delay, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
