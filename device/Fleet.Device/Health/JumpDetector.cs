namespace Fleet.Device.Health;

/// <summary>A change between two readings faster than the tank's physics allows: more than
/// <see cref="MaxRatePerMinute"/> per minute of tank time between them, plus <see cref="Tolerance"/> for the probe's
/// noise. A jump keeps the verdict for <see cref="HoldSamples"/> readings after it, so a sensor that spikes now and
/// then reads as jumping rather than flickering between states. <see cref="MaxRatePerMinute"/> 0 switches it off
/// (a grow light switches in an instant).</summary>
public sealed class JumpDetector(double maxRatePerMinute, double tolerance, int holdSamples = JumpDetector.DefaultHoldSamples)
{
    public const int DefaultHoldSamples = 20;

    private double _last = double.NaN;
    private DateTimeOffset _lastAt;
    private int _hold;

    public double MaxRatePerMinute { get; } = maxRatePerMinute;

    public double Tolerance { get; } = tolerance;

    public int HoldSamples { get; } = holdSamples;

    public bool IsJumping => _hold > 0;

    /// <summary>The last jump seen, for the verdict's detail.</summary>
    public (double From, double To, double Minutes)? LastJump { get; private set; }

    /// <summary>Takes one reading taken at <paramref name="at"/> (tank time); true while a jump is held.</summary>
    public bool Observe(double value, DateTimeOffset at)
    {
        if (MaxRatePerMinute <= 0)
        {
            return false;
        }

        if (_hold > 0)
        {
            _hold--;
        }

        if (double.IsFinite(_last))
        {
            var minutes = Math.Max(0, (at - _lastAt).TotalMinutes);
            if (Math.Abs(value - _last) > (MaxRatePerMinute * minutes) + Tolerance)
            {
                _hold = HoldSamples + 1;
                LastJump = (_last, value, minutes);
            }
        }

        _last = value;
        _lastAt = at;
        return IsJumping;
    }
}
