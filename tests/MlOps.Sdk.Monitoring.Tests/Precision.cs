using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>Agreement with a reference value to a relative tolerance; zero, infinite and NaN references must be met exactly.</summary>
internal static class Precision
{
    public static void AssertClose(double expected, double actual, double relative)
    {
        if (double.IsInfinity(expected) || expected == 0 || double.IsNaN(expected))
        {
            Assert.Equal(expected, actual);
            return;
        }

        var error = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(error <= relative, $"expected {expected:R}, got {actual:R} (relative error {error:E2} > {relative:E0})");
    }
}
