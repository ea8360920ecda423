namespace Fleet.Device.Simulation;

/// <summary>The BME280 trimming parameters and the datasheet's floating-point compensation formulas
/// (BST-BME280-DS002 section 8.1), used by the fake chip to turn physical values into raw ADC counts.</summary>
internal sealed record Bme280Calibration(
    ushort T1, short T2, short T3,
    ushort P1, short P2, short P3, short P4, short P5, short P6, short P7, short P8, short P9,
    byte H1, short H2, byte H3, short H4, short H5, sbyte H6)
{
    public (double Celsius, double TFine) Temperature(int adcT)
    {
        var var1 = ((adcT / 16384.0) - (T1 / 1024.0)) * T2;
        var var2 = (adcT / 131072.0) - (T1 / 8192.0);
        var2 = var2 * var2 * T3;
        var tFine = var1 + var2;
        return (tFine / 5120.0, tFine);
    }

    public double Pressure(int adcP, double tFine)
    {
        var var1 = (tFine / 2.0) - 64000.0;
        var var2 = var1 * var1 * P6 / 32768.0;
        var2 += var1 * P5 * 2.0;
        var2 = (var2 / 4.0) + (P4 * 65536.0);
        var1 = ((P3 * var1 * var1 / 524288.0) + (P2 * var1)) / 524288.0;
        var1 = (1.0 + (var1 / 32768.0)) * P1;
        if (var1 == 0)
        {
            return 0;
        }

        var p = 1048576.0 - adcP;
        p = (p - (var2 / 4096.0)) * 6250.0 / var1;
        var1 = P9 * p * p / 2147483648.0;
        var2 = p * P8 / 32768.0;
        return p + ((var1 + var2 + P7) / 16.0);
    }

    public double Humidity(int adcH, double tFine)
    {
        var h = tFine - 76800.0;
        h = (adcH - ((H4 * 64.0) + (H5 / 16384.0 * h))) * (H2 / 65536.0 * (1.0 + (H6 / 67108864.0 * h * (1.0 + (H3 / 67108864.0 * h)))));
        h *= 1.0 - (H1 * h / 524288.0);
        return Math.Clamp(h, 0, 100);
    }
}
