using System.Device.I2c;

namespace Fleet.Device.Simulation;

/// <summary>Base of the simulated chips: applies the bus-level faults (NACK, disconnected) before any transfer
/// reaches the chip's register emulation, the way the Linux i2c-dev driver fails the ioctl.</summary>
internal abstract class FakeI2cDevice(I2cConnectionSettings settings, Func<ChipFault> fault) : I2cDevice
{
    public override I2cConnectionSettings ConnectionSettings => settings;

    /// <summary>Transfers that reached the chip (tests count re-initialisations with it).</summary>
    public int Transfers { get; private set; }

    public override void Read(Span<byte> buffer)
    {
        Check();
        OnRead(buffer);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check();
        OnWrite(buffer);
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    protected abstract void OnRead(Span<byte> buffer);

    protected abstract void OnWrite(ReadOnlySpan<byte> buffer);

    private void Check()
    {
        switch (fault())
        {
            case ChipFault.Nack:
                throw new IOException($"Error 121 performing I2C transfer to 0x{settings.DeviceAddress:x2} on bus {settings.BusId}: Remote I/O error (no ACK)");
            case ChipFault.Disconnected:
                throw new IOException($"Error 6 performing I2C transfer to 0x{settings.DeviceAddress:x2} on bus {settings.BusId}: No such device or address");
        }

        Transfers++;
    }
}
