using Fleet.Device.Configuration;
using Fleet.Device.Hardware;
using Fleet.Device.Sensors;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Device.Tank;

/// <summary>Drives the tank: every control interval it reads the fresh sensor values, lets <see cref="TankPolicy"/>
/// pick a trigger for the <see cref="TankMachine"/>, and sets the relays for the resulting state. Every transition
/// is persisted and published. After a restart it resumes in Initializing (outputs off until the critical sensors
/// read), or in Maintenance if it was there, since an operator put it there.</summary>
public sealed class TankController : BackgroundService
{
    private readonly SensorReadings _readings;
    private readonly IRelayBank _relays;
    private readonly IDeviceEvents _events;
    private readonly TimeProvider _clock;
    private readonly TankStore _store;
    private readonly ILogger<TankController> _logger;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _freshness;
    private readonly TimeProvider _timers;
    private readonly TankMachine _machine;
    private readonly Health.ISensorTrust? _trust;
    private readonly Lock _gate = new();
    private TankOutputs _outputs = TankOutputs.AllOff;
    private DateTimeOffset _since;
    private long _sinceTimestamp;
    private DateTimeOffset? _levelLowSince;
    private int _identifying;

    public TankController(SensorReadings readings, IRelayBank relays, IDeviceEvents events, TimeProvider clock, TankStore store,
        SamplingProfile sampling, TimeSpan freshness, ILogger<TankController> logger, TimeProvider? timers = null, Health.ISensorTrust? trust = null)
    {
        _trust = trust;
        _readings = readings;
        _relays = relays;
        _events = events;
        _clock = clock;
        _store = store;
        _logger = logger;
        _interval = TimeSpan.FromMilliseconds(sampling.ControlIntervalMs);
        _freshness = freshness;
        _timers = timers ?? TimeProvider.System;
        Settings = store.LoadSettings();

        var persisted = store.LoadState();
        var previous = persisted is not null && TankStateNames.TryParse(persisted.State, out var p) ? p : TankState.Initializing;
        var initial = previous == TankState.Maintenance ? TankState.Maintenance : TankState.Initializing;
        Harvests = persisted?.Harvests ?? 0;
        _since = _clock.GetUtcNow();
        _sinceTimestamp = _timers.GetTimestamp();
        _machine = new TankMachine(initial);
        _machine.Transitioned += OnTransitioned;
        Apply(TankOutputs.AllOff);
        Persist();
        _events.Publish(new DeviceEvent(EventKinds.Tank, TankStateNames.Of(initial), _since,
            Detail: $"{(persisted is null ? "none" : persisted.State)} -> {TankStateNames.Of(initial)} (restart)"));
    }

    public TankState State
    {
        get
        {
            lock (_gate)
            {
                return _machine.State;
            }
        }
    }

    public TankSettings Settings { get; private set; }

    public int Harvests { get; private set; }

    public TankOutputs Outputs
    {
        get
        {
            lock (_gate)
            {
                return _outputs;
            }
        }
    }

    /// <summary>Monotonic timestamp of the last completed control step (the systemd watchdog's liveness signal).</summary>
    public long LastStep { get; private set; }

    /// <summary>Raised after every transition, with the new state.</summary>
    public event Action<TankState>? StateChanged;

    /// <summary>One control step: evaluate, transition, drive the relays.</summary>
    public void Step()
    {
        lock (_gate)
        {
            var inputs = ReadInputs();
            _levelLowSince = inputs.Full == false ? _levelLowSince ?? inputs.Now : null;
            var levelLowFor = _levelLowSince is { } low ? inputs.Now - low : TimeSpan.Zero;

            // A few rounds let Fault -> Growing -> Alarm settle within one step.
            for (var round = 0; round < 3; round++)
            {
                // Sensors come up in real time: Initializing's timeout is real even when a simulated tank's day runs fast.
                var inState = _machine.State == TankState.Initializing ? _timers.GetElapsedTime(_sinceTimestamp) : inputs.Now - _since;
                var next = TankPolicy.Next(_machine.State, inputs, Settings, inState, levelLowFor);
                if (next is not { } n || !Fire(n.Trigger, n.Reason))
                {
                    break;
                }
            }

            Apply(TankPolicy.Outputs(_machine.State, inputs, Settings, _outputs));
            LastStep = _timers.GetTimestamp();
        }
    }

    public bool SetMaintenance(bool on, out string? error)
    {
        lock (_gate)
        {
            var trigger = on ? TankTrigger.MaintenanceOn : TankTrigger.MaintenanceOff;
            if (!Fire(trigger, "hub command"))
            {
                error = on ? "already in maintenance" : "not in maintenance";
                return false;
            }

            Apply(TankPolicy.Outputs(_machine.State, ReadInputs(), Settings, _outputs));
            error = null;
            return true;
        }
    }

    /// <summary>Applies a config change if consistent, persists it, and returns the effective settings.</summary>
    public TankSettings? Configure(TankConfig change, out string? error)
    {
        lock (_gate)
        {
            var next = Settings.Apply(change, out error);
            if (next is null)
            {
                return null;
            }

            _store.SaveSettings(next);
            Settings = next;
            return next;
        }
    }

    /// <summary>Blinks the grow light so a person can find the tank; the controller leaves the light alone meanwhile.</summary>
    public async Task IdentifyAsync(int blinks, TimeSpan period, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _identifying, 1) == 1)
        {
            return;
        }

        try
        {
            for (var i = 0; i < blinks * 2 && !ct.IsCancellationRequested; i++)
            {
                _relays.Set(Actuator.GrowLight, i % 2 == 0);
                await Task.Delay(period / 2, _timers, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref _identifying, 0);
            lock (_gate)
            {
                _relays.Set(Actuator.GrowLight, _outputs.GrowLight);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        lock (_gate)
        {
            Apply(TankOutputs.AllOff);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Step();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Persisting a transition failed (disk full, read-only root): keep controlling the tank.
                _logger.LogError(ex, "Tank step could not persist its state");
            }

            try
            {
                await Task.Delay(_interval, _timers, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private TankInputs ReadInputs()
    {
        var now = _clock.GetUtcNow();
        double? Get(string sensor) => _readings.TryGetFresh(sensor, now, _freshness, out var v) ? v : null;
        var level = Get(SensorNames.WaterLevel);
        var water = Get(SensorNames.WaterTemperature);
        return new TankInputs(now, water, Get(SensorNames.Ph), Get(SensorNames.Turbidity),
            Get(SensorNames.DissolvedOxygen), Get(SensorNames.Light), level is null ? null : level >= 0.5,
            water is null ? null : _trust?.Distrust(SensorNames.WaterTemperature));
    }

    private bool Fire(TankTrigger trigger, string reason)
    {
        var from = _machine.State;
        if (!_machine.TryFire(trigger))
        {
            return false;
        }

        _logger.LogInformation("Tank {From} -> {To} ({Trigger}: {Reason})", from, _machine.State, trigger, reason);
        _events.Publish(new DeviceEvent(EventKinds.Tank, TankStateNames.Of(_machine.State), _clock.GetUtcNow(),
            Detail: $"{TankStateNames.Of(from)} -> {TankStateNames.Of(_machine.State)} ({trigger})", Reason: reason));
        return true;
    }

    private void OnTransitioned(TankState from, TankState to, TankTrigger trigger)
    {
        if (trigger == TankTrigger.HarvestDone)
        {
            Harvests++;
        }

        _since = _clock.GetUtcNow();
        _sinceTimestamp = _timers.GetTimestamp();
        Persist();
        StateChanged?.Invoke(to);
    }

    private void Persist() => _store.SaveState(new PersistedTank(TankStateNames.Of(_machine.State), _since, Harvests));

    private void Apply(TankOutputs outputs)
    {
        var identifying = Volatile.Read(ref _identifying) == 1;
        foreach (var actuator in Enum.GetValues<Actuator>())
        {
            if (actuator == Actuator.GrowLight && identifying)
            {
                continue;
            }

            if (_relays.IsOn(actuator) != outputs[actuator])
            {
                _relays.Set(actuator, outputs[actuator]);
            }
        }

        _outputs = outputs;
    }
}
