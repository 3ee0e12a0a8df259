namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// The distribution of the two-sided one-sample Kolmogorov-Smirnov statistic Dₙ (scipy's <c>kstwo</c>), following the
/// method selection of Simard and L'Ecuyer (2011) as scipy 1.10 implements it: Ruben-Gambino at the ends, twice the
/// one-sided Smirnov tail for large x, the Durbin matrix (Marsaglia-Tsang-Wang) and Pomeranz recursions for small n, the
/// Pelz-Good expansion for large n.
/// </summary>
internal static class KolmogorovDistribution
{
    private const double Scale = 3.402823669209385e38; // 2^128
    private const int ScaleExponent = 128;
    private static readonly double Sqrt2Pi = Math.Sqrt(2 * Math.PI);

    /// <summary>P(Dₙ &gt; x).</summary>
    public static double Survival(int n, double x)
    {
        if (x >= 1.0)
        {
            return 0;
        }

        if (x <= 0.0)
        {
            return 1;
        }

        var t = n * x;
        if (t <= 1.0)
        {
            if (t <= 0.5)
            {
                return 1;
            }

            double cdf;
            if (n <= 140)
            {
                cdf = 1;
                for (var i = 1; i <= n; i++)
                {
                    cdf *= i * (1.0 / n) * ((2 * t) - 1);
                }
            }
            else
            {
                cdf = Math.Exp(LogFactorialOverPower(n) + (n * Math.Log((2 * t) - 1)));
            }

            return 1 - cdf;
        }

        if (t >= n - 1)
        {
            return 2 * Math.Pow(1.0 - x, n);
        }

        if (x >= 0.5)
        {
            return 2 * Smirnov(n, x);
        }

        var nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693)
            {
                return 1 - DurbinMatrix(n, x);
            }

            return nxSquared <= 4 ? 1 - Pomeranz(n, x) : 2 * Smirnov(n, x);
        }

        if (nxSquared >= 370.0)
        {
            return 0;
        }

        if (nxSquared >= 2.2)
        {
            return 2 * Smirnov(n, x);
        }

        var lower = n <= 100_000 && n * Math.Pow(x, 1.5) <= 1.4 ? DurbinMatrix(n, x) : PelzGood(n, x);
        return 1 - lower;
    }

    /// <summary>
    /// The one-sided tail P(Dₙ⁺ ≥ e) by the Birnbaum-Tingey sum e · Σ C(n, v) (e + v/n)^(v−1) (1 − e − v/n)^(n−v),
    /// the terms taken in log space.
    /// </summary>
    internal static double Smirnov(int n, double e)
    {
        if (e <= 0)
        {
            return 1;
        }

        var last = (int)Math.Floor(n * (1.0 - e));
        var logNFactorial = SpecialFunctions.LogGamma(n + 1.0);
        double sum = 0;
        for (var v = 0; v <= last; v++)
        {
            var evn = e + ((double)v / n);
            var rest = 1.0 - evn;
            if (rest <= 0)
            {
                continue;
            }

            var log = logNFactorial - SpecialFunctions.LogGamma(v + 1.0) - SpecialFunctions.LogGamma(n - v + 1.0)
                + ((v - 1) * Math.Log(evn)) + ((n - v) * Math.Log(rest));
            sum += Math.Exp(log);
        }

        return sum * e;
    }

    /// <summary>P(Dₙ ≤ d) by the k-th diagonal entry of Hⁿ (Durbin 1968; Marsaglia, Tsang and Wang 2003), scaled as it grows.</summary>
    internal static double DurbinMatrix(int n, double d)
    {
        if (d >= 1.0)
        {
            return 1;
        }

        var nd = n * d;
        if (nd <= 0.5)
        {
            return 0;
        }

        var k = (int)Math.Ceiling(nd);
        var h = k - nd;
        var m = (2 * k) - 1;
        var v = new double[m];
        var w = new double[m];
        var factorial = 1.0;
        for (var j = 1; j <= m; j++)
        {
            w[j - 1] = factorial;
            factorial /= j;
            v[j - 1] = (1.0 - Math.Pow(h, j)) * factorial;
        }

        var tail = Math.Pow(Math.Max((2 * h) - 1.0, 0), m) - (2 * Math.Pow(h, m));
        v[m - 1] = (1.0 + tail) * factorial;

        var matrix = new double[m, m];
        for (var i = 1; i < m; i++)
        {
            for (var r = i - 1; r < m; r++)
            {
                matrix[r, i] = w[r - i + 1];
            }
        }

        for (var r = 0; r < m; r++)
        {
            matrix[r, 0] = v[r];
        }

        for (var c = 0; c < m; c++)
        {
            matrix[m - 1, c] = v[m - 1 - c];
        }

        var power = Identity(m);
        var powerExponent = 0;
        var matrixExponent = 0;
        for (var remaining = n; remaining > 0; remaining /= 2)
        {
            if (remaining % 2 == 1)
            {
                power = Multiply(power, matrix);
                powerExponent += matrixExponent;
            }

            matrix = Multiply(matrix, matrix);
            matrixExponent *= 2;
            if (Math.Abs(matrix[k - 1, k - 1]) > Scale)
            {
                Divide(matrix, Scale);
                matrixExponent += ScaleExponent;
            }
        }

        var p = power[k - 1, k - 1];
        for (var i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < 1 / Scale)
            {
                p *= Scale;
                powerExponent -= ScaleExponent;
            }
        }

        return Math.Clamp(Math.ScaleB(p, powerExponent), 0, 1);
    }

    /// <summary>P(Dₙ ≤ x) by Pomeranz's recursion (1974): rows convolved with near-Poisson weights, scaled against underflow.</summary>
    internal static double Pomeranz(int n, double x)
    {
        var t = n * x;
        var ll = (int)Math.Floor(t);
        var f = t - ll;
        var g = Math.Min(f, 1.0 - f);
        var ceilF = f > 0 ? 1 : 0;
        var roundF = f > 0.5 ? 1 : 0;
        var powers = 2 * (ll + 1);
        var gPower = new double[powers];
        var twoGPower = new double[powers];
        var oneMinusTwoGPower = new double[powers];
        gPower[0] = twoGPower[0] = oneMinusTwoGPower[0] = 1.0;
        for (var k = 1; k < powers; k++)
        {
            gPower[k] = gPower[k - 1] * (g / n) / k;
            twoGPower[k] = twoGPower[k - 1] * (2 * g / n) / k;
            oneMinusTwoGPower[k] = oneMinusTwoGPower[k - 1] * ((1 - (2 * g)) / n) / k;
        }

        var v0 = new double[powers];
        var v1 = new double[powers];
        v1[0] = 1;
        int v0Start = 0, v1Start = 0, exponent = 0;
        var (j1, _) = Bounds(0, n, ll, ceilF, roundF);
        for (var i = 1; i < (2 * n) + 2; i++)
        {
            var k1 = j1;
            (v0, v1) = (v1, v0);
            (v0Start, v1Start) = (v1Start, v0Start);
            Array.Clear(v1);
            (j1, var j2) = Bounds(i, n, ll, ceilF, roundF);
            var weights = i == 1 || i == (2 * n) + 1 ? gPower : i % 2 == 1 ? twoGPower : oneMinusTwoGPower;
            var length = j2 - k1 + 1;
            if (length <= 0)
            {
                continue;
            }

            // Entries j1..j2 of the convolution of v0[k1..k1+length) with weights[0..length).
            for (var j = j1; j <= j2; j++)
            {
                double sum = 0;
                var offset = j - k1;
                for (var s = Math.Max(0, offset - (length - 1)); s <= Math.Min(offset, length - 1); s++)
                {
                    sum += v0[k1 - v0Start + s] * weights[offset - s];
                }

                v1[j - j1] = sum;
            }

            var max = v1.Max();
            if (max > 0 && max < 1 / Scale)
            {
                for (var s = 0; s < v1.Length; s++)
                {
                    v1[s] *= Scale;
                }

                exponent -= ScaleExponent;
            }

            v1Start = v0Start + j1 - k1;
        }

        var answer = v1[n - v1Start];
        for (var k = 1; k <= n; k++)
        {
            if (Math.Abs(answer) > Scale)
            {
                answer /= Scale;
                exponent += ScaleExponent;
            }

            answer *= k;
        }

        return Math.Clamp(Math.ScaleB(answer, exponent), 0, 1);
    }

    /// <summary>P(Dₙ ≤ x) by the Pelz-Good (1976) expansion in 1/√n of Kolmogorov's limiting distribution.</summary>
    internal static double PelzGood(int n, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var z = Math.Sqrt(n) * x;
        var (z2, z3, z4, z6) = (z * z, z * z * z, Math.Pow(z, 4), Math.Pow(z, 6));
        var qLog = -Math.PI * Math.PI / 8 / z2;
        if (qLog < -708)
        {
            return 0;
        }

        var q = Math.Exp(qLog);
        var pi2 = Math.PI * Math.PI;
        var pi4 = pi2 * pi2;
        var pi6 = pi4 * pi2;
        var k1a = -z2;
        var k1b = pi2 / 4;
        var k2a = (6 * z6) + (2 * z4);
        var k2b = ((2 * z4) - (5 * z2)) * pi2 / 4;
        var k2c = pi4 * (1 - (2 * z2)) / 16;
        var k3d = pi6 * (5 - (30 * z2)) / 64;
        var k3c = pi4 * ((-60 * z2) + (212 * z4)) / 16;
        var k3b = pi2 * ((135 * z4) - (96 * z6)) / 4;
        var k3a = (-30 * z6) - (90 * Math.Pow(z, 8));

        var terms = new double[4];
        var maxK = (int)Math.Ceiling(16 * z / Math.PI);
        for (var k = maxK; k > 0; k--)
        {
            double m = (2 * k) - 1;
            var (m2, m4, m6) = (m * m, Math.Pow(m, 4), Math.Pow(m, 6));
            var qPower = Math.Pow(q, 8 * k);
            terms[0] = (terms[0] * qPower) + 1.0;
            terms[1] = (terms[1] * qPower) + k1a + (k1b * m2);
            terms[2] = (terms[2] * qPower) + k2a + (k2b * m2) + (k2c * m4);
            terms[3] = (terms[3] * qPower) + k3a + (k3b * m2) + (k3c * m4) + (k3d * m6);
        }

        double[] divisors = [z, 6 * z4, 72 * Math.Pow(z, 7), 6480 * Math.Pow(z, 10)];
        for (var i = 0; i < 4; i++)
        {
            terms[i] = terms[i] * q * Sqrt2Pi / divisors[i];
        }

        var q2 = Math.Exp(-pi2 / 2 / z2);
        double k2Extra = 0, k3Extra = 0;
        var sqrt3z = Math.Sqrt(3) * z;
        for (var k = maxK; k > 0; k--)
        {
            double k2 = (double)k * k;
            var qk = Math.Pow(q2, k2);
            k2Extra += k2 * qk;
            var kPi = Math.PI * k;
            k3Extra += (sqrt3z + kPi) * (sqrt3z - kPi) * k2 * qk;
        }

        terms[2] += k2Extra * pi2 * Sqrt2Pi / (-36 * z3);
        terms[3] += k3Extra * pi2 * Sqrt2Pi / (216 * z6);
        double sum = 0;
        for (var i = 0; i < 4; i++)
        {
            sum += terms[i] / Math.Pow(n, i / 2.0);
        }

        return sum;
    }

    /// <summary>ln(n! / nⁿ) by Stirling's series, without the cancelling n·ln n.</summary>
    private static double LogFactorialOverPower(int n)
    {
        double[] coefficients =
        [
            -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
            -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
        ];
        var rn = 1.0 / n;
        var poly = 0.0;
        foreach (var c in coefficients)
        {
            poly = (poly * (rn / n)) + c;
        }

        return (Math.Log(n) / 2) - n + (Math.Log(2 * Math.PI) / 2) + (rn * poly);
    }

    private static (int J1, int J2) Bounds(int i, int n, int ll, int ceilF, int roundF)
    {
        int j1, j2;
        if (i == 0)
        {
            (j1, j2) = (-ll - ceilF - 1, ll + ceilF - 1);
        }
        else
        {
            var (half, odd) = ((i + 1) / 2, (i + 1) % 2);
            if (odd == 0)
            {
                (j1, j2) = half == n + 1
                    ? (n - ll - ceilF - 1, n + ll + ceilF - 1)
                    : (half - 1 - ll - roundF - 1, half + ll - 1 + ceilF - 1);
            }
            else
            {
                (j1, j2) = (half - 1 - ll - 1, half + ll + roundF - 1);
            }
        }

        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }

    private static double[,] Identity(int m)
    {
        var identity = new double[m, m];
        for (var i = 0; i < m; i++)
        {
            identity[i, i] = 1;
        }

        return identity;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var m = a.GetLength(0);
        var result = new double[m, m];
        for (var i = 0; i < m; i++)
        {
            for (var k = 0; k < m; k++)
            {
                var aik = a[i, k];
                if (aik == 0)
                {
                    continue;
                }

                for (var j = 0; j < m; j++)
                {
                    result[i, j] += aik * b[k, j];
                }
            }
        }

        return result;
    }

    private static void Divide(double[,] matrix, double by)
    {
        for (var i = 0; i < matrix.GetLength(0); i++)
        {
            for (var j = 0; j < matrix.GetLength(1); j++)
            {
                matrix[i, j] /= by;
            }
        }
    }
}
