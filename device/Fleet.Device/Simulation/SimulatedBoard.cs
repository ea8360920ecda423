using System.Device.Gpio;
using System.Device.I2c;
using Fleet.Device.Configuration;
using Fleet.Device.Hardware;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Simulation;

/// <summary>The reference board in software: fake chips at the profile's addresses and pins, a 1-Wire tree under
/// <c>workDir</c>, all fed by one <see cref="TankModel"/> whose actuators are the fake GPIO outputs the relay
/// bank drives. The agent's real bindings, adapters and loops run on top unchanged.</summary>
public sealed class SimulatedBoard : IBoardBus
{
    private readonly AgentProfile _profile;
    private readonly FakeGpioDriver _driver = new();
    private readonly FakeW1Tree _w1;
    private readonly Random _random;
    private readonly Lock _randomGate = new();
    private readonly Dictionary<ChipId, TankSnapshot> _frozen = [];
    private readonly Lock _frozenGate = new();
    private readonly TimeProvider _clock;
    private readonly DateTimeOffset _start;
    private readonly Dictionary<string, long> _produced = [];

    public SimulatedBoard(AgentProfile profile, TimeProvider clock, string workDir, SimulatedFaults? faults = null)
    {
        _profile = profile;
        Faults = faults ?? new SimulatedFaults();
        _random = new Random(profile.Simulation.Seed);
        Gpio = new GpioController(_driver);
        _clock = clock;
        _start = clock.GetUtcNow();
        // An inverted heater is the firmware's defect, not the relay's: the GPIO says off, the tank is heated.
        Model = new TankModel(clock, a => a == Actuator.Heater && Faults.Defects.InvertedHeater ? !IsOn(a) : IsOn(a));
        _w1 = new FakeW1Tree(Path.Combine(workDir, "w1", "devices"), profile.WaterTemperature.DeviceId);
        _driver.DriveInput(profile.Level.Pin, () =>
        {
            var full = Sample(ChipId.LevelSwitch).Full;
            return full == profile.Level.HighMeansFull ? PinValue.High : PinValue.Low;
        });
    }

    public TankModel Model { get; }

    public SimulatedFaults Faults { get; }

    public GpioController Gpio { get; }

    internal FakeGpioDriver Driver => _driver;

    public I2cDevice OpenI2c(int bus, int address)
    {
        var settings = new I2cConnectionSettings(bus, address);
        var p = _profile;
        if (bus == p.Air.Bus && address == p.Air.Address)
        {
            Func<(double, double)> env = () =>
            {
                var s = Sample(ChipId.Air);
                return (Defect(SensorNames.AirTemperature, Noisy(ChipId.Air, s.AirCelsius)),
                    Math.Clamp(Defect(SensorNames.Humidity, Noisy(ChipId.Air, s.HumidityPercent)), 0, 100));
            };
            return p.Air.Chip.StartsWith("sht", StringComparison.OrdinalIgnoreCase)
                ? new FakeSht3x(settings, () => Faults.Of(ChipId.Air), env)
                : new FakeBme280(settings, () => Faults.Of(ChipId.Air), env);
        }

        if (bus == p.Light.Bus && address == p.Light.Address)
        {
            return new FakeBh1750(settings, () => Faults.Of(ChipId.LightMeter), () => Math.Max(0, Defect(SensorNames.Light, Noisy(ChipId.LightMeter, Sample(ChipId.LightMeter).Lux))));
        }

        if (bus == p.Adc.Bus && address == p.Adc.Address)
        {
            return new FakeAds1115(settings, () => Faults.Of(ChipId.Adc), AdcInput);
        }

        // Nothing answers at that address: like the real bus, opening works and every transfer fails.
        return new FakeBme280(settings, () => ChipFault.Disconnected, () => (0, 0));
    }

    public IWaterThermometer OpenWaterThermometer(WaterThermometerProfile profile) =>
        new ConvertingThermometer(this, new SysfsWaterThermometer(_w1.DevicesPath, profile.DeviceId));

    public bool IsOn(Actuator actuator)
    {
        var r = _profile.Relays;
        var pin = actuator switch
        {
            Actuator.GrowLight => r.GrowLight,
            Actuator.Heater => r.Heater,
            Actuator.AirPump => r.AirPump,
            Actuator.TopUpPump => r.TopUpPump,
            _ => r.HarvestPump,
        };
        return (_driver.OutputOf(pin) == PinValue.High) != r.ActiveLow && _driver.IsOpen(pin);
    }

    public void Dispose() => Gpio.Dispose();

    private double AdcInput(int channel)
    {
        var s = Sample(ChipId.Adc);
        var a = _profile.Adc;
        if (channel == a.Ph.Channel)
        {
            var drift = Faults.Defects.PhDriftPerHour * (_clock.GetUtcNow() - _start).TotalHours;
            return a.Ph.ToVolts(Defect(SensorNames.Ph, Noisy(ChipId.Adc, s.Ph) + drift));
        }

        if (channel == a.Turbidity.Channel)
        {
            return a.Turbidity.ToVolts(Defect(SensorNames.Turbidity, Noisy(ChipId.Adc, s.Turbidity)));
        }

        if (channel == a.DissolvedOxygen.Channel)
        {
            return a.DissolvedOxygen.ToVolts(Math.Max(0, Defect(SensorNames.DissolvedOxygen, Noisy(ChipId.Adc, s.DissolvedOxygen))));
        }

        return 0;
    }

    /// <summary>The tank as one chip sees it: frozen while the chip is stuck.</summary>
    private TankSnapshot Sample(ChipId chip)
    {
        var stuck = Faults.Of(chip) == ChipFault.Stuck;
        lock (_frozenGate)
        {
            if (stuck && _frozen.TryGetValue(chip, out var frozen))
            {
                return frozen;
            }

            var now = Model.Observe();
            _frozen[chip] = now;
            return now;
        }
    }

    /// <summary>A jumping sensor (<see cref="SimulationDefects.JumpingSensors"/>) spikes on every
    /// <see cref="SimulationDefects.SpikeEvery"/>th value it produces.</summary>
    private double Defect(string sensor, double value)
    {
        if (!Faults.Defects.Jumping.Contains(sensor))
        {
            return value;
        }

        lock (_randomGate)
        {
            var n = _produced[sensor] = _produced.GetValueOrDefault(sensor) + 1;
            return n % SimulationDefects.SpikeEvery == 0 ? value + SimulationDefects.SpikeOf(sensor) : value;
        }
    }

    private double Noisy(ChipId chip, double value)
    {
        var sigma = Faults.Of(chip) == ChipFault.Noise ? 0.05 : _profile.Simulation.Noise;
        if (sigma <= 0)
        {
            return value;
        }

        double u1, u2;
        lock (_randomGate)
        {
            u1 = 1.0 - _random.NextDouble();
            u2 = _random.NextDouble();
        }

        var gauss = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return value + (Math.Abs(value) * sigma * gauss);
    }

    /// <summary>The kernel converts when w1_slave is read: refresh the tree, then read it like the real adapter.</summary>
    private sealed class ConvertingThermometer(SimulatedBoard board, SysfsWaterThermometer inner) : IWaterThermometer
    {
        public bool TryReadCelsius(out double celsius)
        {
            var fault = board.Faults.Of(ChipId.WaterThermometer);
            board._w1.Convert(board.Defect(SensorNames.WaterTemperature, board.Noisy(ChipId.WaterThermometer, board.Sample(ChipId.WaterThermometer).WaterCelsius)), fault);
            return inner.TryReadCelsius(out celsius);
        }

        public void Dispose() => inner.Dispose();
    }
}
