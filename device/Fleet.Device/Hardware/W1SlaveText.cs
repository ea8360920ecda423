using System.Globalization;

namespace Fleet.Device.Hardware;

/// <summary>The w1-therm driver's two-line <c>w1_slave</c> format:
/// <c>72 01 4b 46 7f ff 0e 10 57 : crc=57 YES</c> then <c>72 01 4b 46 7f ff 0e 10 57 t=23125</c>.</summary>
internal static class W1SlaveText
{
    public static bool TryParse(string text, out double celsius)
    {
        celsius = double.NaN;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || !lines[0].TrimEnd().EndsWith("YES", StringComparison.Ordinal))
        {
            return false;
        }

        var at = lines[1].LastIndexOf("t=", StringComparison.Ordinal);
        if (at < 0 || !int.TryParse(lines[1].AsSpan(at + 2).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli))
        {
            return false;
        }

        celsius = milli / 1000.0;
        return IsPlausible(celsius);
    }

    /// <summary>85 °C is the DS18B20's power-on reset value (datasheet p.6): a read before any conversion, not water.</summary>
    public static bool IsPlausible(double celsius) => celsius is > -55 and < 125 && celsius != 85.0;

    public static string Format(double celsius, bool crcOk)
    {
        var raw = (short)Math.Round(celsius * 16);
        var scratch = new byte[9];
        scratch[0] = (byte)(raw & 0xFF);
        scratch[1] = (byte)(raw >> 8);
        scratch[2] = 0x4B;
        scratch[3] = 0x46;
        scratch[4] = 0x7F;
        scratch[5] = 0xFF;
        scratch[6] = 0x0C;
        scratch[7] = 0x10;
        scratch[8] = MaximCrc8(scratch.AsSpan(0, 8));
        var hex = string.Join(' ', scratch.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        var milli = (int)Math.Round(raw * 62.5);
        return $"{hex} : crc={scratch[8]:x2} {(crcOk ? "YES" : "NO")}\n{hex} t={milli.ToString(CultureInfo.InvariantCulture)}\n";
    }

    /// <summary>Dallas/Maxim CRC-8 (x^8 + x^5 + x^4 + 1, reflected 0x8C) over the scratchpad.</summary>
    private static byte MaximCrc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (var b in data)
        {
            var inbyte = b;
            for (var i = 0; i < 8; i++)
            {
                var mix = (byte)((crc ^ inbyte) & 0x01);
                crc >>= 1;
                if (mix != 0)
                {
                    crc ^= 0x8C;
                }

                inbyte >>= 1;
            }
        }

        return crc;
    }
}
