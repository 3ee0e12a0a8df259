namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// DeLong's method for the area under the ROC curve (DeLong, DeLong and Clarke-Pearson, Biometrics 44, 1988): the
/// variance of one AUC from its placement values, and the paired test of two AUCs on the same cases, as R's pROC computes
/// them (<c>ci.auc(method = "delong")</c>, <c>roc.test(paired = TRUE, method = "delong")</c>). Positives are the cases,
/// negatives the controls; a case above a control counts 1, a tie one half.
/// </summary>
public static class DeLong
{
    /// <summary>The AUC and its DeLong variance.</summary>
    /// <exception cref="MlOpsValidationException">The spans differ in length, or a class has fewer than two members.</exception>
    public static (double Auc, double Variance) Auc(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        var (m, n) = ClassCounts(labels, scores);
        using var ranked = RankedLabels.Rank(labels, scores);

        // A case's placement counts the controls below its tie group and half those in it, so 2n times it is an integer;
        // a control's counts the cases above its group and half those in it, 2m times it an integer. One sweep sums those
        // integers and their squares exactly, and each class's sum of squared deviations from the mean comes from them
        // with one rounding: (count × Σx² − (Σx)²) / count, over (2n)² or (2m)².
        long controlsBelow = 0, casesBelow = 0;
        long caseSum = 0, controlSum = 0;
        Int128 caseSquares = 0, controlSquares = 0;
        foreach (var (cases, controls) in ranked.Groups)
        {
            var casePlacement = (2 * controlsBelow) + controls;
            var controlPlacement = (2 * (m - casesBelow)) - cases;
            caseSum += cases * casePlacement;
            controlSum += controls * controlPlacement;
            caseSquares += (Int128)((ulong)casePlacement * (ulong)casePlacement) * cases; // below 2^64: a placement is at most 2^32
            controlSquares += (Int128)((ulong)controlPlacement * (ulong)controlPlacement) * controls;
            (casesBelow, controlsBelow) = (casesBelow + cases, controlsBelow + controls);
        }

        // The case placements' mean is the AUC (an exact pair count over 2mn).
        var auc = caseSum / (2.0 * m * n);
        var caseDeviations = (double)((caseSquares * m) - ((Int128)caseSum * caseSum)) / m / (4.0 * n * n);
        var controlDeviations = (double)((controlSquares * n) - ((Int128)controlSum * controlSum)) / n / (4.0 * m * m);
        return (auc, (caseDeviations / (m - 1) / m) + (controlDeviations / (n - 1) / n));
    }

    /// <summary>The DeLong confidence interval of the AUC, clipped to [0, 1] as pROC clips it.</summary>
    public static ConfidenceInterval AucInterval(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores, double level = 0.95)
    {
        var (auc, variance) = Auc(labels, scores);
        return Interval(auc, variance, level);
    }

    /// <summary>The normal interval of an AUC with its DeLong <paramref name="variance"/>, clipped to [0, 1] as pROC clips it.</summary>
    public static ConfidenceInterval Interval(double auc, double variance, double level) => ConfidenceInterval.Normal(auc, Math.Sqrt(variance), level, 0, 1);

    /// <summary>
    /// The paired DeLong test of two models' AUCs on the same rows: the difference <paramref name="first"/> −
    /// <paramref name="second"/>, its standard error (the covariance of the two included), z and the two-sided p-value.
    /// </summary>
    public static PairedAucTest Paired(ReadOnlySpan<bool> labels, ReadOnlySpan<double> first, ReadOnlySpan<double> second)
    {
        if (first.Length != second.Length)
        {
            throw new MlOpsValidationException($"A paired test needs both models' scores on the same rows; got {first.Length} and {second.Length}.");
        }

        var a = Placements(labels, first);
        var b = Placements(labels, second);
        var (aucA, aucB) = (Mean(a.Cases), Mean(b.Cases));
        double Part(double[] x, double[] y, double mx, double my) => Covariance(x, y, mx, my) / x.Length;
        var varA = Part(a.Cases, a.Cases, aucA, aucA) + Part(a.Controls, a.Controls, aucA, aucA);
        var varB = Part(b.Cases, b.Cases, aucB, aucB) + Part(b.Controls, b.Controls, aucB, aucB);
        var cov = Part(a.Cases, b.Cases, aucA, aucB) + Part(a.Controls, b.Controls, aucA, aucB);
        var se = Math.Sqrt(varA + varB - (2 * cov));
        var z = (aucA - aucB) / se;
        return new PairedAucTest(aucA, aucB, se, z, 2 * SpecialFunctions.NormalSurvival(Math.Abs(z)));
    }

    /// <summary>
    /// Placement values: for each case the share of controls it outscores (ties ½), for each control the share of cases
    /// that outscore it; O((m + n) log(m + n)) by ranks.
    /// </summary>
    private static (double[] Cases, double[] Controls) Placements(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        var (m, n) = ClassCounts(labels, scores);

        // One pass over the rows in score order, a tie group at a time: a case's placement counts the controls below its
        // group and half those in it; a control's, the cases above its group and half those in it.
        var rentedOrder = System.Buffers.ArrayPool<int>.Shared.Rent(labels.Length);
        var rentedPlacement = System.Buffers.ArrayPool<double>.Shared.Rent(labels.Length);
        try
        {
            return Placements(labels, scores, m, n, rentedOrder.AsSpan(0, labels.Length), rentedPlacement.AsSpan(0, labels.Length));
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(rentedOrder);
            System.Buffers.ArrayPool<double>.Shared.Return(rentedPlacement);
        }
    }

    /// <summary>The cases and controls among the labels.</summary>
    /// <exception cref="MlOpsValidationException">The spans differ in length, or a class has fewer than two members.</exception>
    private static (int Cases, int Controls) ClassCounts(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        if (labels.Length != scores.Length)
        {
            throw new MlOpsValidationException($"DeLong needs a score per label; got {labels.Length} labels and {scores.Length} scores.");
        }

        var m = labels.Length - labels.Count(false);
        var n = labels.Length - m;
        if (m < 2 || n < 2)
        {
            throw new MlOpsValidationException($"DeLong's variance needs at least two positives and two negatives; there are {m} and {n}.");
        }

        return (m, n);
    }

    private static (double[] Cases, double[] Controls) Placements(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores, int m, int n, Span<int> order, Span<double> placement)
    {
        ScoreOrder.Ascending(scores, order);
        var (casesBelow, controlsBelow) = (0, 0);
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            var (cases, controls) = (0, 0);
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                (cases, controls) = labels[order[end]] ? (cases + 1, controls) : (cases, controls + 1);
                end++;
            }

            var casePlacement = (controlsBelow + (0.5 * controls)) / n;
            var controlPlacement = (m - casesBelow - cases + (0.5 * cases)) / m;
            for (var k = start; k < end; k++)
            {
                placement[order[k]] = labels[order[k]] ? casePlacement : controlPlacement;
            }

            (casesBelow, controlsBelow, start) = (casesBelow + cases, controlsBelow + controls, end);
        }

        var (casePlacements, controlPlacements) = (new double[m], new double[n]);
        var (c, d) = (0, 0);
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i])
            {
                casePlacements[c++] = placement[i];
            }
            else
            {
                controlPlacements[d++] = placement[i];
            }
        }

        return (casePlacements, controlPlacements);
    }

    private static double Mean(double[] values) => values.Sum() / values.Length;

    private static double Covariance(double[] x, double[] y, double mx, double my)
    {
        double sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += (x[i] - mx) * (y[i] - my);
        }

        return sum / (x.Length - 1);
    }
}
