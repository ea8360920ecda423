using System.Device.Gpio;
using System.Device.I2c;
using Fleet.Device.Configuration;

namespace Fleet.Device.Hardware;

/// <summary>The real Raspberry Pi: /dev/i2c-N, the GPIO character device, the kernel's w1-therm sysfs.</summary>
internal sealed class PiBoardBus : IBoardBus
{
    private readonly Lazy<GpioController> _gpio = new(() => new GpioController());

    public GpioController Gpio => _gpio.Value;

    public I2cDevice OpenI2c(int bus, int address) => I2cDevice.Create(new I2cConnectionSettings(bus, address));

    public IWaterThermometer OpenWaterThermometer(WaterThermometerProfile profile) =>
        profile.SysfsDevicesPath is null
            ? new OneWireWaterThermometer(profile.BusId, profile.DeviceId)
            : new SysfsWaterThermometer(profile.SysfsDevicesPath, profile.DeviceId);

    public void Dispose()
    {
        if (_gpio.IsValueCreated)
        {
            _gpio.Value.Dispose();
        }
    }
}
