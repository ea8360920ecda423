using System.Device.Gpio;
using Fleet.Device.Configuration;

namespace Fleet.Device.Hardware;

/// <summary>Relays on GPIO outputs. Pins open with the relay off, so a restart never pulses an actuator.</summary>
internal sealed class GpioRelayBank : IRelayBank
{
    private readonly GpioController _gpio;
    private readonly RelayProfile _profile;
    private readonly Dictionary<Actuator, bool> _state = [];
    private readonly Lock _gate = new();

    public GpioRelayBank(GpioController gpio, RelayProfile profile)
    {
        _gpio = gpio;
        _profile = profile;
        foreach (var actuator in Enum.GetValues<Actuator>())
        {
            var pin = PinOf(actuator);
            _gpio.OpenPin(pin, PinMode.Output, Level(false));
            _state[actuator] = false;
        }
    }

    public void Set(Actuator actuator, bool on)
    {
        lock (_gate)
        {
            _gpio.Write(PinOf(actuator), Level(on));
            _state[actuator] = on;
        }
    }

    public bool IsOn(Actuator actuator)
    {
        lock (_gate)
        {
            return _state[actuator];
        }
    }

    public int PinOf(Actuator actuator) => actuator switch
    {
        Actuator.GrowLight => _profile.GrowLight,
        Actuator.Heater => _profile.Heater,
        Actuator.AirPump => _profile.AirPump,
        Actuator.TopUpPump => _profile.TopUpPump,
        Actuator.HarvestPump => _profile.HarvestPump,
        _ => throw new ArgumentOutOfRangeException(nameof(actuator)),
    };

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var actuator in Enum.GetValues<Actuator>())
            {
                _gpio.Write(PinOf(actuator), Level(false));
            }
        }
    }

    private PinValue Level(bool on) => on != _profile.ActiveLow ? PinValue.High : PinValue.Low;
}
