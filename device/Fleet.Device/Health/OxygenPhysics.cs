namespace Fleet.Device.Health;

/// <summary>Dissolved oxygen at saturation with air, mg/L, for fresh water at <paramref name="celsius"/> (a quadratic fit
/// of the usual table: 14.6 at 0 °C, 9.1 at 25 °C). The simulated tank relaxes towards it, and a dark tank cannot
/// rise above it: only photosynthesis supersaturates water.</summary>
public static class OxygenPhysics
{
    public static double Saturation(double celsius) => 14.6 - (0.39 * celsius) + (0.007 * celsius * celsius);
}
