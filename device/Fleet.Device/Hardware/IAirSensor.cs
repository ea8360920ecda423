namespace Fleet.Device.Hardware;

/// <summary>Air temperature and relative humidity (BME280 or SHT3x on I2C).</summary>
public interface IAirSensor : IDisposable
{
    /// <summary>False (or an IOException from the bus) when the chip gave no trustworthy value.</summary>
    bool TryRead(out double celsius, out double humidityPercent);
}
