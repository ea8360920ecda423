using System.Device.I2c;
using Iot.Device.Ads1115;

namespace Fleet.Device.Hardware;

/// <summary>ADS1115 through Iot.Device's driver in single-shot (power-down) mode at ±4.096 V: every read starts a
/// conversion on the asked channel and waits for it, so a channel switch cannot return the previous channel's value.</summary>
internal sealed class Ads1115FrontEnd(I2cDevice device) : IAnalogFrontEnd
{
    private readonly Ads1115 _chip = new(device, InputMultiplexer.AIN0, MeasuringRange.FS4096, DataRate.SPS128, DeviceMode.PowerDown);
    private readonly Lock _gate = new();

    public bool TryReadVolts(int channel, out double volts)
    {
        var mux = channel switch
        {
            0 => InputMultiplexer.AIN0,
            1 => InputMultiplexer.AIN1,
            2 => InputMultiplexer.AIN2,
            3 => InputMultiplexer.AIN3,
            _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "ADS1115 has single-ended inputs 0-3"),
        };
        lock (_gate)
        {
            volts = _chip.ReadVoltage(mux).Volts;
        }

        return double.IsFinite(volts);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _chip.Dispose();
        }
    }
}
