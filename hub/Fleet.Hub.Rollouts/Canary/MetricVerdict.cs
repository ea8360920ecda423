using System.Globalization;

namespace Fleet.Hub.Rollouts.Canary;

/// <summary>The comparison of one metric between canaries and control devices: both medians, the effect (canary
/// median minus control median, signed so that positive is worse), the one-sided p-value, and the outcome.</summary>
public sealed record MetricVerdict(
    string Metric, int CanarySamples, int ControlSamples, double CanaryMedian, double ControlMedian, double Effect, double PValue, MetricOutcome Outcome)
{
    /// <summary>One line a person can act on, e.g. "waterTemperatureError regressed: canary median 2.41, control
    /// 0.12, effect +2.29 (threshold 0.5), p = 0.0003 (Mann-Whitney U, 24 vs 60 samples)".</summary>
    public string Describe(MetricRule rule) => Outcome switch
    {
        MetricOutcome.InsufficientData => $"{Metric}: not judged, {CanarySamples} canary and {ControlSamples} control samples (at least {rule.MinimumSamples} each)",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"{Metric} {(Outcome == MetricOutcome.Regressed ? "regressed" : "held")}: canary median {CanaryMedian:0.###}, control {ControlMedian:0.###}, effect {Effect:+0.###;-0.###;0} (threshold {rule.MinimumEffect:0.###}), p = {PValue:0.####} (Mann-Whitney U, {CanarySamples} vs {ControlSamples} samples)"),
    };
}

public enum MetricOutcome
{
    Held,
    Regressed,
    InsufficientData,
}
