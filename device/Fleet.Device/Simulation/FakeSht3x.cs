using System.Device.I2c;
using Fleet.Device.Hardware;

namespace Fleet.Device.Simulation;

/// <summary>SHT3x command interface (datasheet section 4): 16-bit commands; a single-shot measurement (0x24xx or
/// 0x2Cxx) leaves six bytes to read: temperature MSB, LSB, CRC, humidity MSB, LSB, CRC (CRC-8 0x31, init 0xFF).
/// Reading with no measurement pending is NACKed, as on the chip.</summary>
internal sealed class FakeSht3x(I2cConnectionSettings settings, Func<ChipFault> fault, Func<(double Celsius, double Humidity)> environment)
    : FakeI2cDevice(settings, fault)
{
    private readonly Func<bool> _stuck = () => fault() == ChipFault.Stuck;
    private byte[]? _pending;
    private byte[] _last = [];

    /// <summary>Flips a bit of the next temperature CRC, as line noise would.</summary>
    public bool CorruptNextCrc { get; set; }

    protected override void OnWrite(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < 2)
        {
            throw new IOException("SHT3x: commands are two bytes");
        }

        var command = (buffer[0] << 8) | buffer[1];
        if (buffer[0] is 0x24 or 0x2C)
        {
            _pending = _stuck() && _last.Length == 6 ? _last : Measure();
            _last = _pending;
        }
        else if (command is not (0x30A2 or 0x306D or 0x3066 or 0x3041 or 0xF32D))
        {
            throw new IOException($"SHT3x: unknown command 0x{command:x4}");
        }
    }

    protected override void OnRead(Span<byte> buffer)
    {
        var data = _pending ?? throw new IOException("SHT3x: read NACKed, no measurement pending");
        _pending = null;
        data.AsSpan(0, Math.Min(6, buffer.Length)).CopyTo(buffer);
    }

    private byte[] Measure()
    {
        var (celsius, humidity) = environment();
        var rawT = (ushort)Math.Clamp(Math.Round((celsius + 45) * 65535.0 / 175.0), 0, 65535);
        var rawH = (ushort)Math.Clamp(Math.Round(humidity * 65535.0 / 100.0), 0, 65535);
        byte[] d = [(byte)(rawT >> 8), (byte)rawT, 0, (byte)(rawH >> 8), (byte)rawH, 0];
        d[2] = Sht3xAirSensor.Crc8(d.AsSpan(0, 2));
        d[5] = Sht3xAirSensor.Crc8(d.AsSpan(3, 2));
        if (CorruptNextCrc)
        {
            d[2] ^= 0x01;
            CorruptNextCrc = false;
        }

        return d;
    }
}
