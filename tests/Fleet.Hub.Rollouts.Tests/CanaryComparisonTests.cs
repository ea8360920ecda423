using CsCheck;
using Fleet.Hub.Rollouts.Canary;

namespace Fleet.Hub.Rollouts.Tests;

/// <summary>The canary gate's statistics on synthetic samples: known regressions are found in the right direction,
/// noise never halts a rollout, and the test's p-values agree with the exact distribution of U.</summary>
public sealed class CanaryComparisonTests
{
    private static readonly MetricRule WaterError = new("waterTemperatureError", WorseWhen.Higher, 0.5);
    private static readonly MetricRule PhInRange = new("phInRange", WorseWhen.Lower, 0.10);

    private static double[] Normal(Random random, int n, double mean, double sd) =>
        [.. Enumerable.Range(0, n).Select(_ => mean + sd * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))];

    [Fact]
    public void An_inverted_heater_shaped_regression_is_found_and_described_with_both_medians_effect_and_p()
    {
        var random = new Random(7);
        var canary = Normal(random, 24, 2.0, 0.3);
        var control = Normal(random, 60, 0.2, 0.3);

        var verdict = CanaryComparison.Compare(WaterError, canary, control);

        Assert.Equal(MetricOutcome.Regressed, verdict.Outcome);
        Assert.InRange(verdict.Effect, 1.5, 2.1);
        Assert.True(verdict.PValue < 1e-6, $"p = {verdict.PValue}");
        var text = verdict.Describe(WaterError);
        Assert.StartsWith("waterTemperatureError regressed: canary median ", text);
        Assert.Contains(", control 0.", text);
        Assert.Contains("threshold 0.5", text);
        Assert.Contains("24 vs 60 samples", text);
    }

    [Fact]
    public void A_metric_that_gets_worse_when_lower_regresses_only_downwards()
    {
        var random = new Random(11);
        var control = Normal(random, 40, 0.95, 0.02);

        var worse = CanaryComparison.Compare(PhInRange, Normal(random, 20, 0.70, 0.05), control);
        var better = CanaryComparison.Compare(PhInRange, Normal(random, 20, 1.20, 0.05), control);

        Assert.Equal(MetricOutcome.Regressed, worse.Outcome);
        Assert.True(worse.Effect > 0.2);
        Assert.Equal(MetricOutcome.Held, better.Outcome);
        Assert.True(better.Effect < 0);
    }

    [Fact]
    public void A_significant_shift_smaller_than_the_minimum_effect_holds()
    {
        var random = new Random(3);

        var verdict = CanaryComparison.Compare(WaterError, Normal(random, 200, 0.30, 0.05), Normal(random, 200, 0.10, 0.05));

        Assert.True(verdict.PValue < 1e-6);
        Assert.Equal(MetricOutcome.Held, verdict.Outcome);
    }

    [Fact]
    public void Too_few_samples_on_either_side_are_not_judged_and_equal_values_are_no_evidence()
    {
        var few = CanaryComparison.Compare(WaterError, [5, 5, 5], Normal(new Random(1), 30, 0.1, 0.05));
        var equal = CanaryComparison.Compare(WaterError, Enumerable.Repeat(1.0, 10).ToArray(), Enumerable.Repeat(1.0, 10).ToArray());

        Assert.Equal(MetricOutcome.InsufficientData, few.Outcome);
        Assert.Contains("not judged", few.Describe(WaterError));
        Assert.Equal(MetricOutcome.Held, equal.Outcome);
        Assert.Equal(1.0, equal.PValue);
    }

    [Fact]
    public void The_normal_approximation_agrees_with_the_exact_distribution_of_U()
    {
        Gen.Int[8, 14].SelectMany(n1 => Gen.Int[8, 14].SelectMany(n2 => Gen.Int[0, int.MaxValue].Select(seed => (n1, n2, seed)))).Sample(t =>
        {
            var random = new Random(t.seed);
            var a = Normal(random, t.n1, 0.3 * random.NextDouble(), 1);
            var b = Normal(random, t.n2, 0, 1);
            var approximate = MannWhitney.GreaterPValue(a, b);
            var exact = ExactGreaterPValue(a, b);
            Assert.True(Math.Abs(approximate - exact) < 0.02, $"n1={t.n1} n2={t.n2}: approximate {approximate}, exact {exact}");
        }, iter: 300);
    }

    [Fact]
    public void Noise_alone_never_halts_and_a_shift_beyond_the_minimum_effect_always_does()
    {
        var shape = Gen.Int[8, 60].SelectMany(n1 => Gen.Int[8, 60].SelectMany(n2 => Gen.Double[0, 3].SelectMany(mean => Gen.Double[0.01, 0.15].SelectMany(sd =>
            Gen.Int[0, int.MaxValue].Select(seed => (n1, n2, mean, sd, seed))))));
        shape.Sample(s =>
        {
            var random = new Random(s.seed);
            var same = CanaryComparison.Compare(WaterError, Normal(random, s.n1, s.mean, s.sd), Normal(random, s.n2, s.mean, s.sd));
            var shifted = CanaryComparison.Compare(WaterError, Normal(random, s.n1, s.mean + 1.5, s.sd), Normal(random, s.n2, s.mean, s.sd));
            Assert.Equal(MetricOutcome.Held, same.Outcome);
            Assert.Equal(MetricOutcome.Regressed, shifted.Outcome);
        }, iter: 2000);
    }

    /// <summary>P(U ≥ u) by counting: the number of orderings of n1 a's and n2 b's with each U (no ties).</summary>
    private static double ExactGreaterPValue(double[] a, double[] b)
    {
        var u = a.Sum(x => b.Count(y => x > y));
        int n1 = a.Length, n2 = b.Length, max = n1 * n2;
        // ways[i, j][k]: orderings of i a's and j b's whose U is k.
        var ways = new double[n1 + 1, n2 + 1][];
        for (var i = 0; i <= n1; i++)
        {
            for (var j = 0; j <= n2; j++)
            {
                var w = new double[max + 1];
                if (i == 0 || j == 0)
                {
                    w[0] = 1;
                }
                else
                {
                    // The largest value is an a (it beats all j b's) or a b.
                    for (var k = 0; k <= max; k++)
                    {
                        w[k] = (k >= j ? ways[i - 1, j][k - j] : 0) + ways[i, j - 1][k];
                    }
                }

                ways[i, j] = w;
            }
        }

        var all = ways[n1, n2];
        return all.Skip(u).Sum() / all.Sum();
    }
}
