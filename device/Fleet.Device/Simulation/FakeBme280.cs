using System.Buffers.Binary;
using System.Device.I2c;

namespace Fleet.Device.Simulation;

/// <summary>BME280 register map (datasheet BST-BME280-DS002, section 5): chip id 0x60 at 0xD0, soft reset at 0xE0,
/// calibration at 0x88-0xA1 and 0xE1-0xE7, ctrl_hum 0xF2, ctrl_meas 0xF4, config 0xF5, data 0xF7-0xFE.
/// Writes are register/value pairs; reads auto-increment. A forced-mode write converts once and returns to sleep;
/// the raw ADC values are found by inverting the datasheet's compensation formulas for the physical values.</summary>
internal sealed class FakeBme280 : FakeI2cDevice
{
    /// <summary>Datasheet temperature and pressure sample calibration (BMP280 DS001 section 3.12, reused by the BME280)
    /// and humidity trimming typical of a real part.</summary>
    public static readonly Bme280Calibration DatasheetCalibration = new(
        T1: 27504, T2: 26435, T3: -1000,
        P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
        H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30);

    private readonly byte[] _regs = new byte[256];
    private readonly Bme280Calibration _cal;
    private readonly Func<(double Celsius, double Humidity)> _environment;
    private readonly Func<bool> _stuck;
    private byte _pointer;

    public FakeBme280(I2cConnectionSettings settings, Func<ChipFault> fault, Func<(double Celsius, double Humidity)> environment, Bme280Calibration? calibration = null)
        : base(settings, fault)
    {
        _cal = calibration ?? DatasheetCalibration;
        _environment = environment;
        _stuck = () => fault() == ChipFault.Stuck;
        LoadCalibration();
        PowerOnReset();
    }

    /// <summary>When set, conversions load these raw ADC values instead of the environment's (datasheet tests).</summary>
    public (int T, int P, int H)? RawOverride { get; set; }

    public int Conversions { get; private set; }

    protected override void OnWrite(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        _pointer = buffer[0];
        for (var i = 0; i + 1 < buffer.Length; i += 2)
        {
            WriteRegister(buffer[i], buffer[i + 1]);
        }
    }

    protected override void OnRead(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = _regs[(byte)(_pointer + i)];
        }
    }

    private void WriteRegister(byte reg, byte value)
    {
        switch (reg)
        {
            case 0xE0 when value == 0xB6:
                PowerOnReset();
                break;
            case 0xF2:
                _regs[0xF2] = (byte)(value & 0x07);
                break;
            case 0xF4:
                _regs[0xF4] = value;
                var mode = value & 0x03;
                if (mode is 0x01 or 0x02)
                {
                    Convert();
                    _regs[0xF4] = (byte)(value & 0xFC); // back to sleep after a forced conversion (datasheet 3.3.2)
                }
                else if (mode == 0x03)
                {
                    Convert();
                }

                break;
            case 0xF5:
                _regs[0xF5] = value;
                break;
        }
    }

    private void PowerOnReset()
    {
        _regs[0xD0] = 0x60;
        _regs[0xF2] = 0;
        _regs[0xF3] = 0;
        _regs[0xF4] = 0;
        _regs[0xF5] = 0;
        // Data registers read 0x80000 (temperature, pressure) and 0x8000 (humidity) before the first conversion.
        _regs[0xF7] = 0x80; _regs[0xF8] = 0; _regs[0xF9] = 0;
        _regs[0xFA] = 0x80; _regs[0xFB] = 0; _regs[0xFC] = 0;
        _regs[0xFD] = 0x80; _regs[0xFE] = 0;
    }

    private void Convert()
    {
        if (_stuck())
        {
            return;
        }

        Conversions++;
        int adcT, adcP, adcH;
        if (RawOverride is { } raw)
        {
            (adcT, adcP, adcH) = raw;
        }
        else
        {
            var (celsius, humidity) = _environment();
            adcT = InvertMonotonic(a => _cal.Temperature(a).Celsius, celsius, 0, (1 << 20) - 1);
            var tFine = _cal.Temperature(adcT).TFine;
            adcP = InvertMonotonic(a => -_cal.Pressure(a, tFine), -101_325, 0, (1 << 20) - 1);
            adcH = InvertMonotonic(a => _cal.Humidity(a, tFine), humidity, 0, 0xFFFF);
        }

        _regs[0xF7] = (byte)(adcP >> 12); _regs[0xF8] = (byte)(adcP >> 4); _regs[0xF9] = (byte)((adcP & 0xF) << 4);
        _regs[0xFA] = (byte)(adcT >> 12); _regs[0xFB] = (byte)(adcT >> 4); _regs[0xFC] = (byte)((adcT & 0xF) << 4);
        _regs[0xFD] = (byte)(adcH >> 8); _regs[0xFE] = (byte)adcH;
    }

    /// <summary>Smallest raw value whose compensated result reaches the target (the formulas increase with it).</summary>
    private static int InvertMonotonic(Func<int, double> f, double target, int lo, int hi)
    {
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (f(mid) < target)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void LoadCalibration()
    {
        var c = _cal;
        Span<byte> block = _regs.AsSpan(0x88, 24);
        ushort[] words = [c.T1, (ushort)c.T2, (ushort)c.T3, c.P1, (ushort)c.P2, (ushort)c.P3, (ushort)c.P4, (ushort)c.P5, (ushort)c.P6, (ushort)c.P7, (ushort)c.P8, (ushort)c.P9];
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(block[(i * 2)..], words[i]);
        }

        _regs[0xA1] = c.H1;
        BinaryPrimitives.WriteInt16LittleEndian(_regs.AsSpan(0xE1), c.H2);
        _regs[0xE3] = c.H3;
        // dig_H4 = E4[7:0] << 4 | E5[3:0]; dig_H5 = E6[7:0] << 4 | E5[7:4] (datasheet table 16).
        _regs[0xE4] = (byte)(c.H4 >> 4);
        _regs[0xE5] = (byte)((c.H4 & 0x0F) | ((c.H5 & 0x0F) << 4));
        _regs[0xE6] = (byte)(c.H5 >> 4);
        _regs[0xE7] = (byte)c.H6;
    }
}
