namespace Fleet.Device.Hardware;

/// <summary>DS18B20 read from a w1-therm sysfs tree at a configurable place: the simulated board's tree in a temp
/// directory, or /sys/bus/w1/devices on a Pi whose profile names it.</summary>
internal sealed class SysfsWaterThermometer(string devicesPath, string deviceId) : IWaterThermometer
{
    private readonly string _file = Path.Combine(devicesPath, deviceId, "w1_slave");

    public bool TryReadCelsius(out double celsius)
    {
        // A missing file is a missing chip: FileNotFound/DirectoryNotFound propagate as bus failures.
        return W1SlaveText.TryParse(File.ReadAllText(_file), out celsius);
    }

    public void Dispose()
    {
    }
}
