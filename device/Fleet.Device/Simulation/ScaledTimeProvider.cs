namespace Fleet.Device.Simulation;

/// <summary>A wall clock that runs <see cref="Speed"/> times faster than real time from the moment it was made,
/// so a demo tank lives through days in minutes. Timers and timestamps (intervals) stay real: sampling at 1 Hz
/// stays 1 Hz, only the simulated tank's day advances faster.</summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider _real;
    private readonly DateTimeOffset _origin;

    public ScaledTimeProvider(double speed, TimeProvider? real = null)
    {
        if (!(speed > 0) || double.IsInfinity(speed))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "simulation speed must be a positive number");
        }

        Speed = speed;
        _real = real ?? System;
        _origin = _real.GetUtcNow();
    }

    public double Speed { get; }

    public override DateTimeOffset GetUtcNow()
    {
        var elapsed = _real.GetUtcNow() - _origin;
        return _origin + TimeSpan.FromTicks((long)(elapsed.Ticks * Speed));
    }
}
