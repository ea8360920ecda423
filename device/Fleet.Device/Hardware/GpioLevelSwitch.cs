using System.Device.Gpio;

namespace Fleet.Device.Hardware;

internal sealed class GpioLevelSwitch : ILevelSwitch
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly bool _highMeansFull;

    public GpioLevelSwitch(GpioController gpio, int pin, bool highMeansFull)
    {
        _gpio = gpio;
        _pin = pin;
        _highMeansFull = highMeansFull;
        if (!_gpio.IsPinOpen(pin))
        {
            // Pull-up: a broken wire reads high = "full", so the top-up pump never floods on a cut cable.
            _gpio.OpenPin(pin, _gpio.IsPinModeSupported(pin, PinMode.InputPullUp) ? PinMode.InputPullUp : PinMode.Input);
        }
    }

    public bool TryReadFull(out bool full)
    {
        full = (_gpio.Read(_pin) == PinValue.High) == _highMeansFull;
        return true;
    }

    public void Dispose()
    {
        if (_gpio.IsPinOpen(_pin))
        {
            _gpio.ClosePin(_pin);
        }
    }
}
