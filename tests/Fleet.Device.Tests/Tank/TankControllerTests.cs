using Fleet.Device.Configuration;
using Fleet.Device.Hardware;
using Fleet.Device.Sensors;
using Fleet.Device.Tank;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Device.Tests.Tank;

public sealed class TankControllerTests : IDisposable
{
    private readonly TempDir _root = new();
    private readonly ManualClock _clock = new();
    private readonly SensorReadings _readings = new();
    private readonly RecordingEvents _events = new();
    private readonly FakeRelays _relays = new();

    [Fact]
    public void Drives_the_tank_through_growth_and_harvest_publishing_and_persisting_every_transition()
    {
        var tank = NewController();
        Feed(water: 26, turbidity: 400);
        tank.Step();
        Assert.Equal(TankState.Growing, tank.State);
        Assert.True(_relays.IsOn(Actuator.AirPump));

        Feed(water: 26, turbidity: 620);
        tank.Step();
        Assert.Equal(TankState.Harvesting, tank.State);
        Assert.True(_relays.IsOn(Actuator.HarvestPump));

        Feed(water: 26, turbidity: 280);
        tank.Step();
        Assert.Equal(TankState.Growing, tank.State);
        Assert.False(_relays.IsOn(Actuator.HarvestPump));
        Assert.Equal(1, tank.Harvests);

        var names = _events.All.Where(e => e.Kind == EventKinds.Tank).Select(e => e.Detail).ToList();
        Assert.Equal(
        [
            "none -> initializing (restart)",
            "initializing -> growing (SensorsReady)",
            "growing -> harvest_ready (TurbidityHigh)",
            "harvest_ready -> harvesting (HarvestStart)",
            "harvesting -> growing (HarvestDone)",
        ], names);
        Assert.Equal(new PersistedTank("growing", _clock.GetUtcNow(), 1), new TankStore(_root.Path).LoadState());
    }

    [Fact]
    public void Stale_readings_count_as_missing_and_put_the_tank_in_fault_with_heater_off()
    {
        var tank = NewController();
        Feed(water: 20, turbidity: 400);
        tank.Step();
        Assert.True(_relays.IsOn(Actuator.Heater));

        _clock.Advance(TimeSpan.FromSeconds(10));
        tank.Step();

        Assert.Equal(TankState.Fault, tank.State);
        Assert.False(_relays.IsOn(Actuator.Heater));
        Assert.False(_relays.IsOn(Actuator.AirPump));
        Assert.False(_relays.IsOn(Actuator.TopUpPump));
        Assert.False(_relays.IsOn(Actuator.HarvestPump));
    }

    [Fact]
    public void Restart_resumes_in_initializing_with_outputs_off_and_keeps_the_harvest_count()
    {
        var store = new TankStore(_root.Path);
        store.SaveState(new PersistedTank("harvesting", _clock.GetUtcNow(), 7));

        var tank = NewController();

        Assert.Equal(TankState.Initializing, tank.State);
        Assert.Equal(7, tank.Harvests);
        Assert.All(Enum.GetValues<Actuator>(), a => Assert.False(_relays.IsOn(a)));
        Assert.Equal("harvesting -> initializing (restart)", _events.All.Single().Detail);
    }

    [Fact]
    public void Maintenance_survives_a_restart_and_only_a_command_leaves_it()
    {
        var tank = NewController();
        Assert.True(tank.SetMaintenance(true, out _));
        Assert.False(tank.SetMaintenance(true, out var error));
        Assert.Equal("already in maintenance", error);

        var restarted = NewController();
        Feed(water: 26, turbidity: 400);
        restarted.Step();
        Assert.Equal(TankState.Maintenance, restarted.State);
        Assert.All(Enum.GetValues<Actuator>(), a => Assert.False(_relays.IsOn(a)));

        Assert.True(restarted.SetMaintenance(false, out _));
        restarted.Step();
        Assert.Equal(TankState.Growing, restarted.State);
    }

    [Fact]
    public void Config_is_persisted_and_survives_a_restart()
    {
        var tank = NewController();

        Assert.NotNull(tank.Configure(new TankConfig(HarvestTurbidity: 800), out _));
        Assert.Null(tank.Configure(new TankConfig(PhMin: 10), out var error));

        Assert.Contains("phMin", error);
        Assert.Equal(800, NewController().Settings.HarvestTurbidity);
    }

    [Fact]
    public async Task Identify_blinks_the_grow_light_then_gives_it_back_to_the_photoperiod()
    {
        var tank = NewController();
        Feed(water: 26, turbidity: 400);
        tank.Step();
        Assert.True(_relays.IsOn(Actuator.GrowLight));
        _relays.Writes.Clear();

        await tank.IdentifyAsync(3, TimeSpan.FromMilliseconds(20), CancellationToken.None);

        var light = _relays.Writes.Where(w => w.Item1 == Actuator.GrowLight).Select(w => w.Item2).ToList();
        Assert.Equal([true, false, true, false, true, false, true], light);
    }

    [Fact]
    public void A_water_thermometer_the_health_checks_find_stuck_puts_the_tank_in_its_fail_safe_until_it_moves_again()
    {
        var monitor = new Fleet.Device.Health.HealthMonitor(
            new HealthProfile { Sensors = { [SensorNames.WaterTemperature] = new SensorPlausibilityProfile { StuckSamples = 3 } } },
            SensorNames.All, () => new TankSettings());
        _readings.Accepted += monitor.Observe;
        var tank = new TankController(_readings, _relays, _events, _clock, new TankStore(_root.Path), new SamplingProfile(), TimeSpan.FromSeconds(3),
            NullLogger<TankController>.Instance, trust: monitor);
        Feed(water: 24, turbidity: 400);
        tank.Step();
        Assert.Equal(TankState.Growing, tank.State);
        Assert.True(_relays.IsOn(Actuator.Heater));

        // The same 24 °C twice more: fresh readings, but stuck.
        Feed(water: 24, turbidity: 400);
        Feed(water: 24, turbidity: 400);
        tank.Step();

        Assert.Equal(TankState.Fault, tank.State);
        Assert.False(_relays.IsOn(Actuator.Heater));
        Assert.False(_relays.IsOn(Actuator.AirPump));
        var fault = _events.All.Last(e => e.Kind == EventKinds.Tank);
        Assert.Equal("growing -> fault (CriticalSensorLost)", fault.Detail);
        Assert.Contains("implausible water_temperature stuck", fault.Reason);

        Feed(water: 24.0625, turbidity: 400);
        tank.Step();
        Assert.Equal(TankState.Growing, tank.State);
    }

    [Fact]
    public void Initializing_waits_a_real_minute_for_its_sensors_however_fast_the_tank_clock_runs()
    {
        var timers = new ManualTimers();
        var tank = new TankController(_readings, _relays, _events, _clock, new TankStore(_root.Path), new SamplingProfile(), TimeSpan.FromSeconds(3),
            NullLogger<TankController>.Instance, timers);

        // Ten minutes of tank time in a few real seconds (a simulation at 600×): still waiting.
        _clock.Advance(TimeSpan.FromMinutes(10));
        timers.Advance(TimeSpan.FromSeconds(5));
        tank.Step();
        Assert.Equal(TankState.Initializing, tank.State);

        timers.Advance(TimeSpan.FromMinutes(1));
        tank.Step();
        Assert.Equal(TankState.Fault, tank.State);
    }

    public void Dispose() => _root.Dispose();

    /// <summary>Monotonic timestamps the test moves by hand.</summary>
    private sealed class ManualTimers : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private TankController NewController() =>
        new(_readings, _relays, _events, _clock, new TankStore(_root.Path), new SamplingProfile(), TimeSpan.FromSeconds(3), NullLogger<TankController>.Instance);

    private void Feed(double water, double turbidity)
    {
        var now = _clock.GetUtcNow();
        _readings.Accept(new Reading(SensorNames.WaterTemperature, water, "degC", now));
        _readings.Accept(new Reading(SensorNames.WaterLevel, 1, "full", now));
        _readings.Accept(new Reading(SensorNames.Ph, 8, "pH", now));
        _readings.Accept(new Reading(SensorNames.Turbidity, turbidity, "NTU", now));
    }
}
