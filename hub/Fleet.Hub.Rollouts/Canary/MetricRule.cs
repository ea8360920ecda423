namespace Fleet.Hub.Rollouts.Canary;

/// <summary>Which way a health metric gets worse.</summary>
public enum WorseWhen
{
    Higher,
    Lower,
}

/// <summary>How the canary gate judges one health metric: the direction in which it regresses, the smallest
/// difference of medians (in the metric's own unit) that counts as a regression, so that noise alone never halts a
/// rollout, and the significance level of the one-sided Mann-Whitney U test.</summary>
public sealed record MetricRule(string Metric, WorseWhen Worse, double MinimumEffect, double Alpha = 0.01, int MinimumSamples = 8)
{
    /// <summary>The tank's control-quality metrics (<c>HealthSummary.control</c>) with their default thresholds:
    /// 0.5 °C more water-temperature error, 10 points less time with pH in range, 1 mg/L less oxygen swing, and a
    /// turbidity slope higher by 0.5 NTU/h.</summary>
    public static IReadOnlyList<MetricRule> Defaults { get; } =
    [
        new("waterTemperatureError", WorseWhen.Higher, 0.5),
        new("phInRange", WorseWhen.Lower, 0.10),
        new("oxygenSwing", WorseWhen.Lower, 1.0),
        new("turbiditySlope", WorseWhen.Higher, 0.5),
    ];
}
