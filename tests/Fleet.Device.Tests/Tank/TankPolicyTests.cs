using Fleet.Device.Tank;
using static Fleet.Device.Tank.TankState;
using static Fleet.Device.Tank.TankTrigger;

namespace Fleet.Device.Tests.Tank;

public sealed class TankPolicyTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Midnight = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TankSettings Settings = new();

    private static TankInputs Healthy(DateTimeOffset? at = null) =>
        new(at ?? Noon, WaterCelsius: 26, Ph: 8, Turbidity: 400, DissolvedOxygen: 9, Lux: 6000, Full: true);

    public static readonly TheoryData<string, TankState, TankInputs, TankTrigger?> Decisions = new()
    {
        { "sensors come up", Initializing, Healthy(), SensorsReady },
        { "still waiting for the float", Initializing, Healthy() with { Full = null }, null },
        { "water thermometer lost", Growing, Healthy() with { WaterCelsius = null }, CriticalSensorLost },
        { "water thermometer stuck", Growing, Healthy() with { WaterCelsiusDistrusted = "water_temperature stuck" }, CriticalSensorLost },
        { "stuck thermometer keeps the fault", Fault, Healthy() with { WaterCelsiusDistrusted = "water_temperature stuck" }, null },
        { "stuck thermometer at start", Initializing, Healthy() with { WaterCelsiusDistrusted = "water_temperature stuck" }, null },
        { "float lost while harvesting", Harvesting, Healthy() with { Full = null }, CriticalSensorLost },
        { "lost sensor in alarm", Alarm, Healthy() with { WaterCelsius = null }, CriticalSensorLost },
        { "sensors back", Fault, Healthy(), SensorsRestored },
        { "still blind", Fault, Healthy() with { Full = null }, null },
        { "water far too cold", Growing, Healthy() with { WaterCelsius = 20.5 }, OutOfRange },
        { "water far too hot", HarvestReady, Healthy() with { WaterCelsius = 33.5 }, OutOfRange },
        { "pH too high", Harvesting, Healthy() with { Ph = 9.8 }, OutOfRange },
        { "cool but within margin", Growing, Healthy() with { WaterCelsius = 21.5 }, null },
        { "back in range", Alarm, Healthy(), BackInRange },
        { "still out of range", Alarm, Healthy() with { Ph = 6.5 }, null },
        { "dense culture", Growing, Healthy() with { Turbidity = 650 }, TurbidityHigh },
        { "ready and full", HarvestReady, Healthy() with { Turbidity = 650 }, HarvestStart },
        { "ready but topping up", HarvestReady, Healthy() with { Turbidity = 650, Full = false }, null },
        { "diluted to target", Harvesting, Healthy() with { Turbidity = 290 }, HarvestDone },
        { "harvest blind", Harvesting, Healthy() with { Turbidity = null }, HarvestDone },
        { "harvest continues", Harvesting, Healthy() with { Turbidity = 450 }, null },
        { "maintenance ignores sensors", Maintenance, Healthy() with { WaterCelsius = null }, null },
        { "non-critical pH lost keeps growing", Growing, Healthy() with { Ph = null }, null },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Inputs_pick_the_trigger(string why, TankState state, TankInputs inputs, TankTrigger? expected)
    {
        var next = TankPolicy.Next(state, inputs, Settings, TimeSpan.FromSeconds(5), TimeSpan.Zero);

        Assert.True(expected == next?.Trigger, $"{why}: expected {expected?.ToString() ?? "nothing"}, got {next?.Trigger.ToString() ?? "nothing"}");
    }

    [Fact]
    public void Initializing_without_critical_sensors_becomes_a_fault_after_its_timeout()
    {
        var blind = Healthy() with { WaterCelsius = null };

        Assert.Null(TankPolicy.Next(Initializing, blind, Settings, TimeSpan.FromSeconds(30), TimeSpan.Zero));
        Assert.Equal(CriticalSensorLost, TankPolicy.Next(Initializing, blind, Settings, TankPolicy.InitializingTimeout, TimeSpan.Zero)?.Trigger);
    }

    [Fact]
    public void Level_low_despite_top_up_becomes_an_alarm()
    {
        var low = Healthy() with { Full = false };

        Assert.Null(TankPolicy.Next(Growing, low, Settings, TimeSpan.Zero, TimeSpan.FromMinutes(2)));
        Assert.Equal(OutOfRange, TankPolicy.Next(Growing, low, Settings, TimeSpan.Zero, TankPolicy.LevelAlarmAfter)?.Trigger);
    }

    /// <summary>Expected relays for each state: light, heater, air pump, top-up pump, harvest pump.</summary>
    public static readonly TheoryData<string, TankState, TankInputs, TankOutputs> OutputTable = new()
    {
        { "initializing holds everything off", Initializing, Healthy() with { WaterCelsius = 20, Full = false }, TankOutputs.AllOff },
        { "fault: heater and pumps off even when cold and low", Fault, Healthy() with { WaterCelsius = 18, Full = false }, new(true, false, false, false, false) },
        { "fault at night: all off", Fault, Healthy(Midnight) with { WaterCelsius = 18, Full = false }, TankOutputs.AllOff },
        { "maintenance holds everything off", Maintenance, Healthy() with { WaterCelsius = 18, Full = false }, TankOutputs.AllOff },
        { "growing by day, warm, full", Growing, Healthy(), new(true, false, true, false, false) },
        { "growing at night, cold, low", Growing, Healthy(Midnight) with { WaterCelsius = 23, Full = false }, new(false, true, true, true, false) },
        { "harvest ready keeps growing", HarvestReady, Healthy(), new(true, false, true, false, false) },
        { "harvesting pumps out and tops up", Harvesting, Healthy(), new(true, false, true, true, true) },
        { "alarm too hot: light and heater off", Alarm, Healthy() with { WaterCelsius = 34 }, new(false, false, true, false, false) },
        { "alarm too cold: heater on", Alarm, Healthy() with { WaterCelsius = 20 }, new(true, true, true, false, false) },
        { "alarm pH high: light off to slow photosynthesis", Alarm, Healthy() with { Ph = 10 }, new(false, false, true, false, false) },
        { "alarm level low: top up", Alarm, Healthy() with { Full = false }, new(true, false, true, true, false) },
    };

    [Theory]
    [MemberData(nameof(OutputTable))]
    public void Each_state_drives_its_outputs(string why, TankState state, TankInputs inputs, TankOutputs expected)
    {
        Assert.True(expected == TankPolicy.Outputs(state, inputs, Settings, TankOutputs.AllOff), why);
    }

    [Theory]
    [InlineData(24.2, false, true)]
    [InlineData(24.8, false, false)]
    [InlineData(24.8, true, true)]
    [InlineData(25.6, true, false)]
    public void Heater_thermostat_has_hysteresis(double water, bool wasOn, bool expected)
    {
        var outputs = TankPolicy.Outputs(Growing, Healthy() with { WaterCelsius = water }, Settings, TankOutputs.AllOff with { Heater = wasOn });

        Assert.Equal(expected, outputs.Heater);
    }

    [Theory]
    [InlineData(5.9, false)]
    [InlineData(6.0, true)]
    [InlineData(21.9, true)]
    [InlineData(22.0, false)]
    public void Photoperiod_is_16_hours_from_6_utc(double hour, bool lit)
    {
        Assert.Equal(lit, Settings.LightScheduledAt(Midnight.AddHours(hour)));
    }

    [Fact]
    public void Photoperiod_may_span_midnight()
    {
        var night = new TankSettings(LightOnHours: 8, LightsOnAtHour: 20);

        Assert.True(night.LightScheduledAt(Midnight.AddHours(2)));
        Assert.False(night.LightScheduledAt(Midnight.AddHours(12)));
    }

    [Fact]
    public void Inconsistent_config_is_refused_whole()
    {
        Assert.Null(Settings.Apply(new Fleet.Protocol.Messages.TankConfig(WaterTemperatureMin: 31), out var error));
        Assert.Contains("waterTemperatureMin must be below", error);
        Assert.Equal(18, Settings.Apply(new Fleet.Protocol.Messages.TankConfig(LightOnHours: 18), out _)!.LightOnHours);
    }
}
