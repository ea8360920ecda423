namespace Fleet.Hub.Rollouts.Canary;

/// <summary>The Mann-Whitney U test, one-sided: is sample <c>a</c> stochastically greater than sample <c>b</c>?
/// Ranks with ties averaged, the normal approximation with tie correction and continuity correction (sound from
/// about eight samples a side, which <see cref="MetricRule.MinimumSamples"/> requires). No distribution assumption:
/// tank metrics are skewed and bounded.</summary>
public static class MannWhitney
{
    /// <summary>P(U ≥ observed) under the null hypothesis that both samples come from one distribution.</summary>
    public static double GreaterPValue(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 1.0;
        }

        var all = a.Select(v => (Value: v, FromA: true)).Concat(b.Select(v => (Value: v, FromA: false))).OrderBy(x => x.Value).ToArray();
        var n = all.Length;
        double rankSumA = 0;
        double tieTerm = 0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && all[j + 1].Value == all[i].Value)
            {
                j++;
            }

            var rank = (i + j + 2) / 2.0; // ranks i+1 … j+1, averaged
            for (var k = i; k <= j; k++)
            {
                if (all[k].FromA)
                {
                    rankSumA += rank;
                }
            }

            var t = j - i + 1;
            tieTerm += (double)t * t * t - t;
            i = j + 1;
        }

        double n1 = a.Count, n2 = b.Count;
        var u = rankSumA - n1 * (n1 + 1) / 2;
        var mean = n1 * n2 / 2;
        var variance = n1 * n2 / 12 * ((n1 + n2 + 1) - tieTerm / ((n1 + n2) * (n1 + n2 - 1)));
        if (variance <= 0)
        {
            return 1.0; // every value equal: no evidence either way
        }

        var z = (u - mean - 0.5) / Math.Sqrt(variance);
        return UpperTail(z);
    }

    /// <summary>P(Z ≥ z) for a standard normal Z (Abramowitz and Stegun 7.1.26, error below 1.5e-7).</summary>
    public static double UpperTail(double z)
    {
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + 0.3275911 * x);
        var erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.Exp(-x * x);
        return z >= 0 ? erfc / 2 : 1 - erfc / 2;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
