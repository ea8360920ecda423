namespace Fleet.Device.Health;

/// <summary>A sensor that keeps answering the same value: stuck once <see cref="Samples"/> consecutive readings lie
/// within <see cref="NoiseFloor"/> of the first of them. A live probe always moves by more than its noise floor now and
/// then (noise alone does it), a frozen register or a thermometer stuck in its scratchpad never does. The verdict
/// clears with the first reading that moves. <see cref="Samples"/> 0 switches the check off (a float switch is
/// legitimately constant).</summary>
public sealed class StuckDetector(double noiseFloor, int samples)
{
    private double _anchor = double.NaN;

    public double NoiseFloor { get; } = noiseFloor;

    public int Samples { get; } = samples;

    /// <summary>Consecutive readings within the noise floor of the run's first.</summary>
    public int Run { get; private set; }

    public bool IsStuck => Samples > 0 && Run >= Samples;

    public double Value => _anchor;

    /// <summary>Takes one reading; true while stuck.</summary>
    public bool Observe(double value)
    {
        if (Run > 0 && Math.Abs(value - _anchor) <= NoiseFloor)
        {
            Run++;
        }
        else
        {
            _anchor = value;
            Run = 1;
        }

        return IsStuck;
    }
}
