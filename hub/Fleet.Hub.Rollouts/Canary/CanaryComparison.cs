namespace Fleet.Hub.Rollouts.Canary;

/// <summary>The canary gate's judgement: each metric's canary samples against the control devices' samples of the
/// same period. A metric regresses only when both hold: the canaries are worse with p below the rule's alpha
/// (one-sided Mann-Whitney U), and the difference of medians is at least the rule's minimum effect. Noise alone fails
/// the second; a real but tiny shift fails it too, by design.</summary>
public static class CanaryComparison
{
    public static MetricVerdict Compare(MetricRule rule, IReadOnlyList<double> canary, IReadOnlyList<double> control)
    {
        var c = canary.Where(double.IsFinite).ToArray();
        var k = control.Where(double.IsFinite).ToArray();
        if (c.Length < rule.MinimumSamples || k.Length < rule.MinimumSamples)
        {
            return new MetricVerdict(rule.Metric, c.Length, k.Length, MannWhitney.Median(c), MannWhitney.Median(k), double.NaN, double.NaN, MetricOutcome.InsufficientData);
        }

        var canaryMedian = MannWhitney.Median(c);
        var controlMedian = MannWhitney.Median(k);
        // Signed so that positive always means "worse", whichever way the metric goes.
        var (effect, p) = rule.Worse == WorseWhen.Higher
            ? (canaryMedian - controlMedian, MannWhitney.GreaterPValue(c, k))
            : (controlMedian - canaryMedian, MannWhitney.GreaterPValue(k, c));
        var regressed = p < rule.Alpha && effect >= rule.MinimumEffect;
        return new MetricVerdict(rule.Metric, c.Length, k.Length, canaryMedian, controlMedian, effect, p, regressed ? MetricOutcome.Regressed : MetricOutcome.Held);
    }

    /// <summary>Every rule whose metric has samples on both sides; the gate halts on the first regression.</summary>
    public static IReadOnlyList<MetricVerdict> CompareAll(IReadOnlyList<MetricRule> rules, Func<string, IReadOnlyList<double>> canary, Func<string, IReadOnlyList<double>> control) =>
        [.. rules.Select(r => Compare(r, canary(r.Metric), control(r.Metric)))];
}
