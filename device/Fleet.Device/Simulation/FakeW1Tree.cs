using Fleet.Device.Hardware;

namespace Fleet.Device.Simulation;

/// <summary>A w1-therm sysfs tree in a directory: <c>w1_bus_master1/w1_master_slaves</c> and
/// <c>{id}/w1_slave</c> with the kernel's two-line text (scratchpad, CRC verdict, t=milli-°C).
/// The kernel converts when the file is read; the simulated board calls <see cref="Convert"/> just before.</summary>
internal sealed class FakeW1Tree
{
    private readonly string _deviceId;

    public FakeW1Tree(string devicesPath, string deviceId)
    {
        DevicesPath = devicesPath;
        _deviceId = deviceId;
        var master = Path.Combine(devicesPath, "w1_bus_master1");
        Directory.CreateDirectory(master);
        File.WriteAllText(Path.Combine(master, "w1_master_slaves"), deviceId + "\n");
    }

    public string DevicesPath { get; }

    public void Convert(double celsius, ChipFault fault)
    {
        var dir = Path.Combine(DevicesPath, _deviceId);
        if (fault == ChipFault.Disconnected)
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            return;
        }

        if (fault == ChipFault.Stuck && File.Exists(Path.Combine(dir, "w1_slave")))
        {
            return;
        }

        Directory.CreateDirectory(dir);
        // A NACK on 1-Wire shows up as a scratchpad that fails its CRC: the kernel prints "NO".
        File.WriteAllText(Path.Combine(dir, "w1_slave"), W1SlaveText.Format(celsius, crcOk: fault != ChipFault.Nack));
    }
}
