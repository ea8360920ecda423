using Fleet.Device.Configuration;
using Fleet.Device.Sensors;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Hardware;

/// <summary>The tank's sensors and relays as the profile wires them, over whichever <see cref="IBoardBus"/> is given.</summary>
public sealed class Board : IDisposable
{
    private readonly IBoardBus _bus;
    private readonly List<IDisposable> _owned = [];
    private readonly Lazy<IRelayBank> _relays;

    public Board(IBoardBus bus, AgentProfile profile)
    {
        _bus = bus;
        Profile = profile;
        Sensors = BuildSensors();
        _relays = new Lazy<IRelayBank>(() => new GpioRelayBank(_bus.Gpio, Profile.Relays));
    }

    public AgentProfile Profile { get; }

    public IReadOnlyList<SensorSource> Sensors { get; }

    public IRelayBank Relays => _relays.Value;

    public void Dispose()
    {
        if (_relays.IsValueCreated)
        {
            _relays.Value.Dispose();
        }

        foreach (var d in _owned)
        {
            d.Dispose();
        }
    }

    private List<SensorSource> BuildSensors()
    {
        var p = Profile;
        var air = Own(new SharedChip<IAirSensor>(() => p.Air.Chip.ToLowerInvariant() switch
        {
            "bme280" => new Bme280AirSensor(_bus.OpenI2c(p.Air.Bus, p.Air.Address)),
            "sht3x" or "sht31" or "sht30" => new Sht3xAirSensor(_bus.OpenI2c(p.Air.Bus, p.Air.Address)),
            var other => throw new InvalidProfileException($"agent.json: air.chip '{other}' is not supported; use 'bme280' or 'sht3x'"),
        }));
        var water = Own(new SharedChip<IWaterThermometer>(() => _bus.OpenWaterThermometer(p.WaterTemperature)));
        var light = Own(new SharedChip<ILightMeter>(() => new Bh1750LightMeter(_bus.OpenI2c(p.Light.Bus, p.Light.Address))));
        var adc = Own(new SharedChip<IAnalogFrontEnd>(() => new Ads1115FrontEnd(_bus.OpenI2c(p.Adc.Bus, p.Adc.Address))));
        var level = Own(new SharedChip<ILevelSwitch>(() => new GpioLevelSwitch(_bus.Gpio, p.Level.Pin, p.Level.HighMeansFull)));

        return
        [
            new(SensorNames.WaterTemperature, "degC", () => new ChipProbe<IWaterThermometer>(water, (IWaterThermometer c, out double v) => c.TryReadCelsius(out v))),
            new(SensorNames.AirTemperature, "degC", () => new ChipProbe<IAirSensor>(air, (IAirSensor c, out double v) => c.TryRead(out v, out _))),
            new(SensorNames.Humidity, "%RH", () => new ChipProbe<IAirSensor>(air, (IAirSensor c, out double v) => c.TryRead(out _, out v))),
            new(SensorNames.Light, "lux", () => new ChipProbe<ILightMeter>(light, (ILightMeter c, out double v) => c.TryReadLux(out v))),
            Analog(adc, SensorNames.Ph, "pH", p.Adc.Ph),
            Analog(adc, SensorNames.Turbidity, "NTU", p.Adc.Turbidity),
            Analog(adc, SensorNames.DissolvedOxygen, "mg/L", p.Adc.DissolvedOxygen),
            new(SensorNames.WaterLevel, "full", () => new ChipProbe<ILevelSwitch>(level, (ILevelSwitch c, out double v) =>
            {
                var ok = c.TryReadFull(out var full);
                v = full ? 1 : 0;
                return ok;
            })),
        ];
    }

    private static SensorSource Analog(SharedChip<IAnalogFrontEnd> adc, string name, string unit, ProbeCalibration calibration) =>
        new(name, unit, () => new ChipProbe<IAnalogFrontEnd>(adc, (IAnalogFrontEnd c, out double v) =>
        {
            var ok = c.TryReadVolts(calibration.Channel, out var volts);
            v = ok ? calibration.ToValue(volts) : double.NaN;
            return ok;
        }));

    private T Own<T>(T d)
        where T : IDisposable
    {
        _owned.Add(d);
        return d;
    }
}
