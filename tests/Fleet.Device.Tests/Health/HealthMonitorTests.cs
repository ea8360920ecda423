using Fleet.Device.Configuration;
using Fleet.Device.Health;
using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Tests.Health;

public sealed class HealthMonitorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static HealthMonitor NewMonitor(HealthProfile? profile = null) =>
        new(profile ?? new HealthProfile(), SensorNames.All, () => new TankSettings());

    [Fact]
    public void A_stuck_water_thermometer_is_reported_stuck_and_distrusted_while_a_faulted_ph_probe_is_faulted()
    {
        var monitor = NewMonitor(new HealthProfile { Sensors = { [SensorNames.WaterTemperature] = new SensorPlausibilityProfile { StuckSamples = 5 } } });
        var changes = 0;
        monitor.Changed += () => changes++;
        for (var i = 0; i < 5; i++)
        {
            monitor.Observe(new Reading(SensorNames.WaterTemperature, 25.125, "degC", T0.AddSeconds(i)));
        }

        monitor.Fault(SensorNames.Ph, "ph: Remote I/O error");

        var sensors = monitor.Sensors().ToDictionary(s => s.Sensor);
        Assert.Equal(HealthStates.Stuck, sensors[SensorNames.WaterTemperature].State);
        Assert.Contains("25.125", sensors[SensorNames.WaterTemperature].Detail);
        Assert.Equal(HealthStates.Faulted, sensors[SensorNames.Ph].State);
        Assert.Equal("ph: Remote I/O error", sensors[SensorNames.Ph].Detail);
        Assert.Equal(HealthStates.Ok, sensors[SensorNames.Turbidity].State);
        Assert.Contains("water_temperature stuck", monitor.Distrust(SensorNames.WaterTemperature));
        Assert.Null(monitor.Distrust(SensorNames.Turbidity));
        Assert.Equal(2, changes);

        monitor.Observe(new Reading(SensorNames.WaterTemperature, 25.25, "degC", T0.AddSeconds(6)));
        monitor.Observe(new Reading(SensorNames.Ph, 8, "pH", T0.AddSeconds(6)));
        Assert.All(monitor.Sensors(), s => Assert.Equal(HealthStates.Ok, s.State));
        Assert.Null(monitor.Distrust(SensorNames.WaterTemperature));
        Assert.Equal(4, changes);
    }

    [Fact]
    public void The_control_window_measures_temperature_error_ph_in_range_oxygen_swing_and_turbidity_slope()
    {
        var window = new ControlWindow(TimeSpan.FromHours(24));
        var settings = new TankSettings(WaterTemperatureMin: 24, WaterTemperatureMax: 30, PhMin: 7, PhMax: 9.5);
        window.Add(new Reading(SensorNames.WaterTemperature, 26, "degC", T0), settings);
        window.Add(new Reading(SensorNames.WaterTemperature, 32, "degC", T0.AddHours(1)), settings);
        window.Add(new Reading(SensorNames.WaterTemperature, 23, "degC", T0.AddHours(2)), settings);
        window.Add(new Reading(SensorNames.Ph, 8, "pH", T0), settings);
        window.Add(new Reading(SensorNames.Ph, 9.9, "pH", T0.AddHours(1)), settings);
        window.Add(new Reading(SensorNames.Ph, 7.5, "pH", T0.AddHours(2)), settings);
        window.Add(new Reading(SensorNames.Ph, 6.0, "pH", T0.AddHours(3)), settings);
        window.Add(new Reading(SensorNames.DissolvedOxygen, 7.5, "mg/L", T0), settings);
        window.Add(new Reading(SensorNames.DissolvedOxygen, 11, "mg/L", T0.AddHours(6)), settings);
        window.Add(new Reading(SensorNames.Turbidity, 300, "NTU", T0), settings);
        window.Add(new Reading(SensorNames.Turbidity, 310, "NTU", T0.AddHours(2)), settings);
        window.Add(new Reading(SensorNames.Turbidity, 320, "NTU", T0.AddHours(4)), settings);

        var q = window.Quality(T0.AddHours(6));

        Assert.Equal(1.0, q.WaterTemperatureError!.Value, 9); // (0 + 2 + 1) / 3
        Assert.Equal(0.5, q.PhInRange!.Value, 9);
        Assert.Equal(3.5, q.OxygenSwing!.Value, 9);
        Assert.Equal(5.0, q.TurbiditySlope!.Value, 9);
        Assert.Equal(TimeSpan.FromHours(6), window.Span(T0.AddHours(6)));
    }

    [Fact]
    public void Readings_older_than_the_window_leave_it()
    {
        var window = new ControlWindow(TimeSpan.FromHours(1));
        var settings = new TankSettings();
        window.Add(new Reading(SensorNames.WaterTemperature, 40, "degC", T0), settings);
        window.Add(new Reading(SensorNames.WaterTemperature, 26, "degC", T0.AddHours(3)), settings);

        var q = window.Quality(T0.AddHours(3));
        Assert.Equal(0, q.WaterTemperatureError);
        Assert.Null(q.PhInRange);
        Assert.Equal(TimeSpan.FromHours(1), window.Span(T0.AddHours(3)));
    }

    [Fact]
    public void Time_in_alarm_and_fault_is_counted_within_the_window_only()
    {
        var timeline = new TankTimeline(TimeSpan.FromHours(10));
        timeline.Enter(TankState.Growing, T0);
        timeline.Enter(TankState.Alarm, T0.AddHours(1));
        timeline.Enter(TankState.Growing, T0.AddHours(3));
        timeline.Enter(TankState.Fault, T0.AddHours(5));

        var now = T0.AddHours(6);
        Assert.Equal(TimeSpan.FromHours(2), timeline.TimeIn(TankState.Alarm, now.AddHours(-6), now));
        Assert.Equal(TimeSpan.FromHours(1), timeline.TimeIn(TankState.Alarm, now.AddHours(-4), now));
        Assert.Equal(TimeSpan.FromHours(1), timeline.TimeIn(TankState.Fault, now.AddHours(-6), now));
    }

    [Theory]
    [InlineData("inverted-heater", true, 0, false, "")]
    [InlineData("ph-drift:0.2, stuck-water-temperature", false, 0.2, true, "")]
    [InlineData("ph-drift,jumping-sensor:ph,jumping-sensor:turbidity", false, 0.5, false, "ph,turbidity")]
    [InlineData("", false, 0, false, "")]
    public void Simulation_fault_lists_parse(string text, bool inverted, double drift, bool stuck, string jumping)
    {
        var d = Fleet.Device.Simulation.SimulationDefects.TryParse(text, out var error);
        Assert.Null(error);
        Assert.NotNull(d);
        Assert.Equal(inverted, d.InvertedHeater);
        Assert.Equal(drift, d.PhDriftPerHour);
        Assert.Equal(stuck, d.StuckWaterTemperature);
        Assert.Equal(jumping, string.Join(",", d.Jumping.Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("inverted-heaters")]
    [InlineData("jumping-sensor:water_level")]
    [InlineData("jumping-sensor")]
    [InlineData("ph-drift:fast")]
    [InlineData("inverted-heater:1")]
    public void An_unknown_simulation_fault_is_refused_by_name(string text)
    {
        Assert.Null(Fleet.Device.Simulation.SimulationDefects.TryParse(text, out var error));
        Assert.StartsWith($"'{text.Split(',')[0]}' is not a simulation fault; use inverted-heater", error);
    }
}
