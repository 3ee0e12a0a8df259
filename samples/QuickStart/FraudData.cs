using System.Globalization;
using System.Text;

namespace QuickStart;

/// <summary>A reproducible synthetic fraud dataset: fraud grows with amount, distance and merchant risk, and at night.</summary>
public static class FraudData
{
    public static List<Transaction> Generate(int rows, int seed)
    {
        var random = new Random(seed);
        var result = new List<Transaction>(rows);
        for (var i = 0; i < rows; i++)
        {
            var amount = (float)Math.Exp(random.NextDouble() * 6);
            var hour = (float)random.Next(24);
            var distance = (float)(random.NextDouble() * 500);
            var risk = (float)random.NextDouble();
            var night = hour is < 6 or > 22 ? 1.0 : 0.0;
            var logit = (0.012 * amount) + (0.006 * distance) + (2.5 * risk) + (1.2 * night) - 5 + (Gaussian(random) * 0.8);
            result.Add(new Transaction { Amount = amount, Hour = hour, Distance = distance, MerchantRisk = risk, Label = logit > 0 });
        }

        return result;
    }

    /// <summary>Labels that "arrive later" for live rows: the generator's own rule, without its noise.</summary>
    public static bool Label(Transaction row) =>
        (0.012 * row.Amount) + (0.006 * row.Distance) + (2.5 * row.MerchantRisk) + (1.2 * (row.Hour is < 6 or > 22 ? 1.0 : 0.0)) - 5 > 0;

    /// <summary>The dataset as CSV: what its digest is computed over.</summary>
    public static byte[] ToCsv(IEnumerable<Transaction> rows)
    {
        var csv = new StringBuilder("amount,hour,distance,merchant_risk,label\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Amount:R},{r.Hour:R},{r.Distance:R},{r.MerchantRisk:R},{(r.Label ? 1 : 0)}\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
