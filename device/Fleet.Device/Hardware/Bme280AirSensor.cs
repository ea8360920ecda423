using System.Device.I2c;
using Iot.Device.Bmxx80;

namespace Fleet.Device.Hardware;

/// <summary>BME280 through Iot.Device's driver, in forced mode: one fresh conversion per read, so a value
/// never outlives the read that asked for it.</summary>
internal sealed class Bme280AirSensor(I2cDevice device) : IAirSensor
{
    private readonly Bme280 _chip = new(device);

    public bool TryRead(out double celsius, out double humidityPercent)
    {
        var result = _chip.Read();
        celsius = result.Temperature?.DegreesCelsius ?? double.NaN;
        humidityPercent = result.Humidity?.Percent ?? double.NaN;
        return result.Temperature is not null && result.Humidity is not null;
    }

    public void Dispose() => _chip.Dispose();
}
