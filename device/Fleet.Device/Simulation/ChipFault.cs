namespace Fleet.Device.Simulation;

public enum ChipFault
{
    None,
    /// <summary>The chip does not acknowledge its address: every transfer fails with an I/O error.</summary>
    Nack,
    /// <summary>The chip answers, but its data registers no longer change.</summary>
    Stuck,
    /// <summary>The chip is gone from the bus (or the 1-Wire device from sysfs).</summary>
    Disconnected,
    /// <summary>Readings carry heavy noise (5 % of the value).</summary>
    Noise,
}
