namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The special functions the tests need: log-gamma, regularized incomplete gamma, the normal tail.</summary>
internal static class SpecialFunctions
{
    private const double Epsilon = 1e-16;
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7; relative error about 1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>Q(a, x) = Γ(a, x) / Γ(a), the upper regularized incomplete gamma function.</summary>
    public static double UpperGamma(double a, double x)
    {
        if (x <= 0)
        {
            return 1;
        }

        if (double.IsPositiveInfinity(x))
        {
            return 0;
        }

        return x < a + 1 ? 1 - LowerSeries(a, x) : UpperContinuedFraction(a, x);
    }

    /// <summary>The chi-square survival function with <paramref name="degrees"/> degrees of freedom.</summary>
    public static double ChiSquareSurvival(double statistic, double degrees) => UpperGamma(degrees / 2, statistic / 2);

    /// <summary>P(Z &gt; z) for a standard normal Z, accurate in the far tail (erfc via Q(1/2, z²/2)).</summary>
    public static double NormalSurvival(double z) =>
        z >= 0 ? 0.5 * UpperGamma(0.5, z * z / 2) : 1 - (0.5 * UpperGamma(0.5, z * z / 2));

    /// <summary>
    /// The standard normal quantile Φ⁻¹(p): Wichura's algorithm AS 241 (PPND16), accurate to about 1e-16 relative —
    /// what scipy's <c>norm.ppf</c> and R's <c>qnorm</c> use.
    /// </summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0 || p >= 1)
        {
            return p == 0 ? double.NegativeInfinity : p == 1 ? double.PositiveInfinity : double.NaN;
        }

        var q = p - 0.5;
        if (Math.Abs(q) <= 0.425)
        {
            var r = 0.180625 - (q * q);
            return q * Polynomial(r, CentralNumerator) / Polynomial(r, CentralDenominator);
        }

        var t = Math.Sqrt(-Math.Log(q < 0 ? p : 1 - p));
        var value = t <= 5
            ? Polynomial(t - 1.6, NearNumerator) / Polynomial(t - 1.6, NearDenominator)
            : Polynomial(t - 5, TailNumerator) / Polynomial(t - 5, TailDenominator);
        return q < 0 ? -value : value;
    }

    private static readonly double[] CentralNumerator = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
    private static readonly double[] CentralDenominator = [1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852545925];
    private static readonly double[] NearNumerator = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
    private static readonly double[] NearDenominator = [1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
    private static readonly double[] TailNumerator = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
    private static readonly double[] TailDenominator = [1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

    /// <summary>Σ c[i]·x^i by Horner's rule.</summary>
    private static double Polynomial(double x, double[] coefficients)
    {
        var sum = 0.0;
        for (var i = coefficients.Length - 1; i >= 0; i--)
        {
            sum = (sum * x) + coefficients[i];
        }

        return sum;
    }

    /// <summary>P(X ≤ k) for X ~ Binomial(n, 1/2), summed exactly in log space.</summary>
    public static double BinomialHalfCdf(long k, long n)
    {
        if (k < 0)
        {
            return 0;
        }

        if (k >= n)
        {
            return 1;
        }

        var logN = LogGamma(n + 1) - (n * Math.Log(2));
        double sum = 0;
        for (var i = 0L; i <= k; i++)
        {
            sum += Math.Exp(logN - LogGamma(i + 1) - LogGamma(n - i + 1));
        }

        return Math.Min(sum, 1);
    }

    /// <summary>
    /// P(T &gt; t) for Student's t with <paramref name="degrees"/> degrees of freedom: ½ I(ν / (ν + t²); ν/2, ½), with the
    /// complement's argument t² / (ν + t²) formed directly, so that neither tail loses digits.
    /// </summary>
    public static double StudentTSurvival(double t, double degrees)
    {
        if (double.IsNaN(t))
        {
            return double.NaN;
        }

        var x = degrees / (degrees + (t * t));
        var complement = t * t / (degrees + (t * t));
        var tail = 0.5 * RegularizedBeta(degrees / 2, 0.5, x, complement);
        return t >= 0 ? tail : 1 - tail;
    }

    /// <summary>
    /// The regularized incomplete beta function I(x; a, b), by its continued fraction (modified Lentz) on whichever side
    /// converges; <paramref name="complement"/> is 1 − x, passed in when the caller can form it without cancellation.
    /// </summary>
    public static double RegularizedBeta(double a, double b, double x, double complement)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (complement <= 0)
        {
            return 1;
        }

        var front = Math.Exp((a * Math.Log(x)) + (b * Math.Log(complement)) - LogBeta(a, b));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - (front * BetaContinuedFraction(b, a, complement) / b);
    }

    private static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double Tiny = 1e-300;
        var c = 1.0;
        var d = 1 - ((a + b) * x / (a + 1));
        d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
        var h = d;
        for (var m = 1; m < 100_000; m++)
        {
            var m2 = 2 * m;
            var even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + (even * d);
            d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
            c = 1 + (even / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            h *= d * c;
            var odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + (odd * d);
            d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
            c = 1 + (odd / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < Epsilon)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>P(a, x) by its power series; for x &lt; a + 1.</summary>
    private static double LowerSeries(double a, double x)
    {
        var term = 1 / a;
        var sum = term;
        for (var n = 1; n < 10_000; n++)
        {
            term *= x / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * Epsilon)
            {
                break;
            }
        }

        return sum * Math.Exp((a * Math.Log(x)) - x - LogGamma(a));
    }

    /// <summary>Q(a, x) by its continued fraction (modified Lentz); for x ≥ a + 1.</summary>
    private static double UpperContinuedFraction(double a, double x)
    {
        const double Tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 10_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = b + (an / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        return Math.Exp((a * Math.Log(x)) - x - LogGamma(a)) * h;
    }
}
