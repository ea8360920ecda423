namespace Fleet.Device.Hardware;

/// <summary>Water temperature (DS18B20 on 1-Wire).</summary>
public interface IWaterThermometer : IDisposable
{
    bool TryReadCelsius(out double celsius);
}
