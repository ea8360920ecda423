using System.Device.I2c;

namespace Fleet.Device.Hardware;

/// <summary>SHT3x single-shot measurement with the datasheet's CRC-8 check (section 4.12, polynomial 0x31, init 0xFF).
/// We issue the two-byte command ourselves rather than use Iot.Device's <c>Sht3x</c> properties, because on a CRC
/// mismatch that driver silently returns the previous value, and the agent must never publish a stale reading.</summary>
internal sealed class Sht3xAirSensor : IAirSensor
{
    // Single shot, clock stretching enabled, high repeatability (datasheet table 9).
    private static ReadOnlySpan<byte> MeasureHigh => [0x24, 0x00];
    private static ReadOnlySpan<byte> SoftReset => [0x30, 0xA2];

    private readonly I2cDevice _device;

    public Sht3xAirSensor(I2cDevice device)
    {
        _device = device;
        _device.Write(SoftReset);
        Thread.Sleep(2);
    }

    public bool TryRead(out double celsius, out double humidityPercent)
    {
        celsius = double.NaN;
        humidityPercent = double.NaN;
        Span<byte> data = stackalloc byte[6];
        _device.Write(MeasureHigh);
        Thread.Sleep(16);
        _device.Read(data);
        if (Crc8(data[..2]) != data[2] || Crc8(data.Slice(3, 2)) != data[5])
        {
            return false;
        }

        var rawT = (data[0] << 8) | data[1];
        var rawH = (data[3] << 8) | data[4];
        celsius = -45 + (175.0 * rawT / 65535.0);
        humidityPercent = 100.0 * rawH / 65535.0;
        return true;
    }

    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0xFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    public void Dispose() => _device.Dispose();
}
