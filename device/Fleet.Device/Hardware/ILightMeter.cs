namespace Fleet.Device.Hardware;

/// <summary>Illuminance at the culture surface (BH1750 on I2C).</summary>
public interface ILightMeter : IDisposable
{
    bool TryReadLux(out double lux);
}
