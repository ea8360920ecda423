using Iot.Device.OneWire;

namespace Fleet.Device.Hardware;

/// <summary>DS18B20 through the kernel's w1-therm driver and Iot.Device's <c>OneWireThermometerDevice</c>
/// (which reads the fixed path /sys/devices/{bus}/{device}/w1_slave).</summary>
internal sealed class OneWireWaterThermometer(string busId, string deviceId) : IWaterThermometer
{
    private readonly OneWireThermometerDevice _device = new(busId, deviceId);

    public bool TryReadCelsius(out double celsius)
    {
        try
        {
            celsius = _device.ReadTemperature().DegreesCelsius;
            return W1SlaveText.IsPlausible(celsius);
        }
        catch (InvalidOperationException)
        {
            // The driver's way of saying the kernel reported "crc=.. NO".
            celsius = double.NaN;
            return false;
        }
    }

    public void Dispose()
    {
    }
}
