namespace Fleet.Device.Health;

/// <summary>Water against air temperature: a tank's heater holds the water a few degrees off the room, never tens of
/// degrees. Disagreeing once their difference has exceeded <see cref="MaxDifference"/> for <see cref="Samples"/>
/// consecutive pairs; a single pair within it clears the verdict.</summary>
public sealed class TemperaturePartnerDetector(double maxDifference, int samples)
{
    public double MaxDifference { get; } = maxDifference;

    public int Samples { get; } = samples;

    public int Run { get; private set; }

    public bool Disagrees => Samples > 0 && Run >= Samples;

    public bool Observe(double waterCelsius, double airCelsius)
    {
        Run = Math.Abs(waterCelsius - airCelsius) > MaxDifference ? Run + 1 : 0;
        return Disagrees;
    }
}

/// <summary>Dissolved oxygen against light: in the dark only aeration moves oxygen, and only towards saturation
/// (<see cref="OxygenPhysics.Saturation"/>). A probe that reads supersaturated water <em>rising</em> by more than
/// <see cref="RiseTolerance"/> over <see cref="Samples"/> consecutive dark readings (light under <see cref="DarkLux"/>)
/// disagrees with the light meter; one of the two is lying. A dark, supersaturated tank after lights-off is
/// normal: its oxygen falls.</summary>
public sealed class OxygenLightPartnerDetector(double darkLux, double riseTolerance, int samples)
{
    private readonly Queue<double> _dark = new();

    public double DarkLux { get; } = darkLux;

    public double RiseTolerance { get; } = riseTolerance;

    public int Samples { get; } = samples;

    public bool Disagrees { get; private set; }

    /// <summary>The rise over the last run of dark, supersaturated readings (mg/L).</summary>
    public double Rise => _dark.Count > 1 ? _dark.Last() - _dark.Peek() : 0;

    public bool Observe(double oxygen, double lux, double waterCelsius)
    {
        if (Samples <= 0)
        {
            return false;
        }

        if (lux >= DarkLux || oxygen <= OxygenPhysics.Saturation(waterCelsius) + RiseTolerance)
        {
            _dark.Clear();
            Disagrees = false;
            return false;
        }

        _dark.Enqueue(oxygen);
        while (_dark.Count > Samples)
        {
            _dark.Dequeue();
        }

        Disagrees = _dark.Count == Samples && Rise > RiseTolerance;
        return Disagrees;
    }
}
