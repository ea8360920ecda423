using System.Device.I2c;
using Iot.Device.Bh1750fvi;

namespace Fleet.Device.Hardware;

/// <summary>BH1750 through Iot.Device's driver in one-time high-resolution mode: each read triggers its own
/// conversion, so an unpowered or stuck chip cannot keep handing back the last value.</summary>
internal sealed class Bh1750LightMeter(I2cDevice device) : ILightMeter
{
    private readonly Bh1750fvi _chip = new(device, MeasuringMode.OneTimeHighResolutionMode);

    public bool TryReadLux(out double lux)
    {
        lux = _chip.Illuminance.Lux;
        return lux >= 0 && double.IsFinite(lux);
    }

    public void Dispose() => _chip.Dispose();
}
