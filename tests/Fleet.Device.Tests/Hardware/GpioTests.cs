using System.Device.Gpio;
using Fleet.Device.Configuration;
using Fleet.Device.Hardware;
using Fleet.Device.Simulation;

namespace Fleet.Device.Tests.Hardware;

public sealed class GpioTests
{
    [Fact]
    public void Relay_bank_opens_every_relay_off_then_drives_the_profile_pin()
    {
        var driver = new FakeGpioDriver();
        using var gpio = new GpioController(driver);
        var profile = new RelayProfile { ActiveLow = true };
        using var relays = new GpioRelayBank(gpio, profile);

        Assert.All(new[] { 5, 6, 13, 19, 26 }, pin => Assert.Equal(PinValue.High, driver.OutputOf(pin)));

        relays.Set(Actuator.Heater, true);

        Assert.Equal(PinValue.Low, driver.OutputOf(6));
        Assert.True(relays.IsOn(Actuator.Heater));
        Assert.False(relays.IsOn(Actuator.GrowLight));
    }

    [Fact]
    public void Float_switch_reads_full_and_low_from_its_input_pin()
    {
        var driver = new FakeGpioDriver();
        var level = PinValue.High;
        driver.DriveInput(17, () => level);
        using var gpio = new GpioController(driver);
        using var sw = new GpioLevelSwitch(gpio, 17, highMeansFull: true);

        Assert.True(sw.TryReadFull(out var full) && full);
        level = PinValue.Low;
        Assert.True(sw.TryReadFull(out full) && !full);
    }

    [Fact]
    public void Board_reads_every_sensor_of_the_reference_profile_through_the_simulated_chips()
    {
        using var dir = new Fleet.Testing.TempDir();
        var clock = new ManualClock();
        using var sim = new SimulatedBoard(new AgentProfile { Simulation = new SimulationProfile { Noise = 0 } }, clock, dir.Path);
        using var board = new Board(sim, new AgentProfile());
        var truth = sim.Model.Observe();

        var values = board.Sensors.ToDictionary(s => s.Sensor, s =>
        {
            using var probe = s.Open();
            Assert.True(probe.TryRead(out var v), s.Sensor);
            return v;
        });

        Assert.Equal(truth.WaterCelsius, values["water_temperature"], 1);
        Assert.Equal(truth.AirCelsius, values["air_temperature"], 1);
        Assert.Equal(truth.HumidityPercent, values["humidity"], 0);
        Assert.Equal(truth.Lux, values["light"], 0);
        Assert.Equal(truth.Ph, values["ph"], 1);
        Assert.InRange(values["turbidity"], truth.Turbidity - 5, truth.Turbidity + 5);
        Assert.Equal(truth.DissolvedOxygen, values["dissolved_oxygen"], 1);
        Assert.Equal(1.0, values["water_level"]);
    }

    [Fact]
    public void Malformed_profile_is_refused_with_the_file_and_what_to_do()
    {
        using var dir = new Fleet.Testing.TempDir();
        File.WriteAllText(dir.Combine("agent.json"), "{ \"air\": { \"bus\": \"one\" } }");

        var ex = Assert.Throws<InvalidProfileException>(() => AgentProfileLoader.Load(dir.Path));

        Assert.Contains("agent.json", ex.Message);
        Assert.Contains("delete it", ex.Message);
    }

    [Fact]
    public void Profile_file_moves_chips_and_pins()
    {
        using var dir = new Fleet.Testing.TempDir();
        File.WriteAllText(dir.Combine("agent.json"), """{ "air": { "chip": "sht3x", "address": 68 }, "relays": { "heater": 21, "activeLow": true } }""");

        var profile = AgentProfileLoader.Load(dir.Path);

        Assert.Equal("sht3x", profile.Air.Chip);
        Assert.Equal(0x44, profile.Air.Address);
        Assert.Equal(21, profile.Relays.Heater);
        Assert.True(profile.Relays.ActiveLow);
        Assert.Equal(0x48, profile.Adc.Address);
    }
}
