using Fleet.Device.Configuration;
using Fleet.Device.Link;
using Fleet.Device.Tank;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Device.Health;

/// <summary>Publishes the <see cref="HealthSummary"/> on <c>health</c>: every <see cref="HealthProfile.IntervalSeconds"/>
/// of real time, right after each connection, and at once (at most one a second) when a sensor's verdict or the tank
/// state changes. Offline, a summary is dropped, not spooled: it is a live signal and the next one says more.</summary>
public sealed class HealthReporter : BackgroundService
{
    private static readonly TimeSpan MinGap = TimeSpan.FromSeconds(1);

    private readonly HealthMonitor _monitor;
    private readonly TankController _tank;
    private readonly IFirmwareInfo _firmware;
    private readonly IDeviceLink _link;
    private readonly TimeProvider _clock;
    private readonly TimeProvider _timers;
    private readonly TimeSpan _interval;
    private readonly ILogger<HealthReporter> _logger;
    private readonly TankTimeline _timeline;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private long _connections;

    public HealthReporter(HealthMonitor monitor, TankController tank, IFirmwareInfo firmware, IDeviceLink link, TimeProvider clock,
        AgentProfile profile, long restarts, ILogger<HealthReporter> logger, TimeProvider? timers = null)
    {
        _monitor = monitor;
        _tank = tank;
        _firmware = firmware;
        _link = link;
        _clock = clock;
        _timers = timers ?? TimeProvider.System;
        _interval = TimeSpan.FromSeconds(Math.Max(1, profile.Health.IntervalSeconds));
        _logger = logger;
        Restarts = restarts;
        _timeline = new TankTimeline(TimeSpan.FromSeconds(Math.Max(60, profile.Health.WindowSeconds)));
        _timeline.Enter(tank.State, clock.GetUtcNow());
        tank.StateChanged += state =>
        {
            lock (_gate)
            {
                _timeline.Enter(state, _clock.GetUtcNow());
            }

            Wake();
        };
        monitor.Changed += Wake;
        link.Connected += () =>
        {
            Interlocked.Increment(ref _connections);
            Wake();
        };
    }

    public long Restarts { get; }

    /// <summary>Connections to the hub after the first.</summary>
    public long Reconnects => Math.Max(0, Interlocked.Read(ref _connections) - 1);

    /// <summary>The summary as of now.</summary>
    public HealthSummary Summarize()
    {
        var now = _clock.GetUtcNow();
        var (span, quality) = _monitor.Control(now);
        TimeSpan alarm, fault;
        lock (_gate)
        {
            alarm = _timeline.TimeIn(TankState.Alarm, now - span, now);
            fault = _timeline.TimeIn(TankState.Fault, now - span, now);
        }

        return new HealthSummary(
            TimeProvider.System.GetUtcNow(),
            _firmware.Current?.Uuid,
            span.TotalSeconds,
            _monitor.Sensors(),
            TankStateNames.Of(_tank.State),
            Math.Min(alarm.TotalSeconds, span.TotalSeconds),
            Math.Min(fault.TotalSeconds, span.TotalSeconds),
            quality,
            Restarts,
            Reconnects,
            Environment.WorkingSet);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = long.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = false;
            try
            {
                var wait = last == long.MinValue ? _interval : _interval - _timers.GetElapsedTime(last);
                woken = wait > TimeSpan.Zero && await _wake.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (woken && last != long.MinValue && _timers.GetElapsedTime(last) < MinGap)
            {
                try
                {
                    await Task.Delay(MinGap - _timers.GetElapsedTime(last), _timers, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            // Several changes in the gap are one summary.
            while (_wake.CurrentCount > 0 && _wake.Wait(0))
            {
            }

            last = _timers.GetTimestamp();
            try
            {
                var sent = await _link.PublishAsync(Topics.HealthKind, FleetJson.Serialize(Summarize()), ct: stoppingToken);
                if (!sent)
                {
                    _logger.LogDebug("Health summary not sent (hub not connected)");
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
