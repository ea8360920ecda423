using System.Device.I2c;

namespace Fleet.Device.Simulation;

/// <summary>BH1750FVI instruction set (datasheet p.5): power on/down, reset, MTreg high/low bits, measurement modes.
/// A measurement leaves a big-endian count = lux × 1.2 × MTreg / 69 (p.11), saturating at 0xFFFF.</summary>
internal sealed class FakeBh1750(I2cConnectionSettings settings, Func<ChipFault> fault, Func<double> lux)
    : FakeI2cDevice(settings, fault)
{
    private readonly Func<bool> _stuck = () => fault() == ChipFault.Stuck;
    private bool _poweredOn;
    private int _mtreg = 69;
    private ushort _data;

    protected override void OnWrite(ReadOnlySpan<byte> buffer)
    {
        foreach (var op in buffer)
        {
            switch (op)
            {
                case 0x00:
                    _poweredOn = false;
                    break;
                case 0x01:
                    _poweredOn = true;
                    break;
                case 0x07:
                    _data = 0;
                    break;
                case >= 0x40 and <= 0x47:
                    _mtreg = ((op & 0x07) << 5) | (_mtreg & 0x1F);
                    break;
                case >= 0x60 and <= 0x7F:
                    _mtreg = (_mtreg & 0xE0) | (op & 0x1F);
                    break;
                case 0x10 or 0x11 or 0x13 or 0x20 or 0x21 or 0x23:
                    if (!_poweredOn && op < 0x20)
                    {
                        throw new IOException("BH1750: continuous mode while powered down");
                    }

                    if (!_stuck())
                    {
                        var resolution = op is 0x11 or 0x21 ? 2.0 : 1.0;
                        _data = (ushort)Math.Clamp(Math.Round(lux() * 1.2 * _mtreg / 69.0 * resolution), 0, 0xFFFF);
                    }

                    if (op >= 0x20)
                    {
                        _poweredOn = false; // one-time modes power down after the conversion
                    }

                    break;
                default:
                    throw new IOException($"BH1750: unknown instruction 0x{op:x2}");
            }
        }
    }

    protected override void OnRead(Span<byte> buffer)
    {
        if (buffer.Length > 0)
        {
            buffer[0] = (byte)(_data >> 8);
        }

        if (buffer.Length > 1)
        {
            buffer[1] = (byte)_data;
        }
    }
}
