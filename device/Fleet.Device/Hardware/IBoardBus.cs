using System.Device.Gpio;
using System.Device.I2c;
using Fleet.Device.Configuration;

namespace Fleet.Device.Hardware;

/// <summary>Where the chips are reached: the Pi's I2C buses, GPIO controller and 1-Wire sysfs, or the simulated
/// board's fakes. Everything above this seam (bindings, adapters, loops, tank) is the same code in both.</summary>
public interface IBoardBus : IDisposable
{
    GpioController Gpio { get; }

    I2cDevice OpenI2c(int bus, int address);

    IWaterThermometer OpenWaterThermometer(WaterThermometerProfile profile);
}
