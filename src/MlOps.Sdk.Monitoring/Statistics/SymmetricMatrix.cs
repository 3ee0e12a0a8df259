namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>Small symmetric matrices: eigen-decomposition by cyclic Jacobi rotations, and numpy's pseudo-inverse.</summary>
internal static class SymmetricMatrix
{
    /// <summary>
    /// <c>numpy.linalg.pinv</c> of a symmetric matrix (singular values below 1e-15 of the largest dropped) and
    /// <c>numpy.linalg.matrix_rank</c> of that pseudo-inverse.
    /// </summary>
    public static (double[,] Inverse, int Rank) PseudoInverse(double[,] matrix)
    {
        var (values, vectors) = Eigen(matrix);
        var n = values.Length;
        var largest = values.Max(Math.Abs);
        var kept = Enumerable.Range(0, n).Where(i => Math.Abs(values[i]) > 1e-15 * largest).ToArray();
        var inverse = new double[n, n];
        foreach (var e in kept)
        {
            for (var a = 0; a < n; a++)
            {
                for (var b = 0; b < n; b++)
                {
                    inverse[a, b] += vectors[a, e] * vectors[b, e] / values[e];
                }
            }
        }

        // The inverse's singular values are 1/|λ|; matrix_rank counts those above max · size · ε.
        var smallestKept = kept.Length == 0 ? 0 : kept.Min(e => Math.Abs(values[e]));
        var rank = kept.Count(e => 1 / Math.Abs(values[e]) > n * Epsilon / smallestKept);
        return (inverse, rank);
    }

    /// <summary>numpy's machine epsilon for doubles (2⁻⁵²), not <see cref="double.Epsilon"/>.</summary>
    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix, by cyclic Jacobi rotations.</summary>
    public static (double[] Values, double[,] Vectors) Eigen(double[,] matrix)
    {
        var n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            v[i, i] = 1;
        }

        for (var sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    off += a[p, q] * a[p, q];
                }
            }

            if (off == 0)
            {
                break;
            }

            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    // An element too small to change either diagonal entry is zero already (Numerical Recipes' rule).
                    var g = 100 * Math.Abs(a[p, q]);
                    if (sweep > 3 && Math.Abs(a[p, p]) + g == Math.Abs(a[p, p]) && Math.Abs(a[q, q]) + g == Math.Abs(a[q, q]))
                    {
                        a[p, q] = a[q, p] = 0;
                    }
                    else if (a[p, q] != 0)
                    {
                        Rotate(a, v, p, q);
                    }
                }
            }
        }

        return ([.. Enumerable.Range(0, n).Select(i => a[i, i])], v);
    }

    /// <summary>One Jacobi rotation that zeroes a[p, q] (Numerical Recipes' stable form).</summary>
    private static void Rotate(double[,] a, double[,] v, int p, int q)
    {
        var n = a.GetLength(0);
        var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
        var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
        if (double.IsInfinity(theta * theta))
        {
            t = 1 / (2 * theta);
        }

        var c = 1 / Math.Sqrt((t * t) + 1);
        var s = t * c;
        for (var k = 0; k < n; k++)
        {
            var (akp, akq) = (a[k, p], a[k, q]);
            a[k, p] = (c * akp) - (s * akq);
            a[k, q] = (s * akp) + (c * akq);
        }

        for (var k = 0; k < n; k++)
        {
            var (apk, aqk) = (a[p, k], a[q, k]);
            a[p, k] = (c * apk) - (s * aqk);
            a[q, k] = (s * apk) + (c * aqk);
        }

        for (var k = 0; k < n; k++)
        {
            var (vkp, vkq) = (v[k, p], v[k, q]);
            v[k, p] = (c * vkp) - (s * vkq);
            v[k, q] = (s * vkp) + (c * vkq);
        }
    }
}
