using System.Buffers.Binary;
using System.Device.I2c;

namespace Fleet.Device.Simulation;

/// <summary>ADS1115 registers (datasheet SBAS444, section 8.6): pointer byte, then 16-bit big-endian registers
/// 0 conversion, 1 config (reset 0x8583), 2 lo_thresh (0x8000), 3 hi_thresh (0x7FFF). Writing config with OS=1 in
/// single-shot mode converts the selected input at the selected full scale; conversions complete instantly, so OS
/// reads back 1 (idle). In continuous mode each conversion-register read is a fresh conversion.</summary>
internal sealed class FakeAds1115(I2cConnectionSettings settings, Func<ChipFault> fault, Func<int, double> inputVolts)
    : FakeI2cDevice(settings, fault)
{
    private readonly Func<bool> _stuck = () => fault() == ChipFault.Stuck;
    private readonly ushort[] _regs = [0x0000, 0x8583, 0x8000, 0x7FFF];
    private int _pointer;

    public int Conversions { get; private set; }

    protected override void OnWrite(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        _pointer = buffer[0] & 0x03;
        if (buffer.Length >= 3)
        {
            var value = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]);
            if (_pointer == 1)
            {
                _regs[1] = (ushort)(value | 0x8000);
                var singleShot = (value & 0x0100) != 0;
                if (!singleShot || (value & 0x8000) != 0)
                {
                    Convert();
                }
            }
            else if (_pointer != 0)
            {
                _regs[_pointer] = value;
            }
        }
    }

    protected override void OnRead(Span<byte> buffer)
    {
        if (_pointer == 0 && (_regs[1] & 0x0100) == 0)
        {
            Convert();
        }

        Span<byte> word = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(word, _regs[_pointer]);
        word[..Math.Min(2, buffer.Length)].CopyTo(buffer);
    }

    private void Convert()
    {
        if (_stuck())
        {
            return;
        }

        var config = _regs[1];
        var mux = (config >> 12) & 0x07;
        if (mux < 4)
        {
            throw new IOException("FakeAds1115: differential inputs are not wired on this board");
        }

        var fullScale = ((config >> 9) & 0x07) switch
        {
            0 => 6.144,
            1 => 4.096,
            2 => 2.048,
            3 => 1.024,
            4 => 0.512,
            _ => 0.256,
        };
        var volts = inputVolts(mux - 4);
        _regs[0] = (ushort)(short)Math.Clamp(Math.Round(volts / fullScale * 32768.0), short.MinValue, short.MaxValue);
        Conversions++;
    }
}
