using System.Globalization;

namespace Fleet.Bench.Scenarios;

/// <summary>Wall time, CPU time and peak RSS of one step, as one line between processes.</summary>
internal sealed record Measurement(double Seconds, double CpuSeconds, long PeakRss)
{
    public static Measurement Parse(string line)
    {
        var parts = line.Split(' ');
        return new Measurement(
            double.Parse(parts[0], CultureInfo.InvariantCulture),
            double.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Seconds:R} {CpuSeconds:R} {PeakRss}");
}
