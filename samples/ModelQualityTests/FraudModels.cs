using Microsoft.ML;

namespace ModelQualityTests;

/// <summary>
/// Synthetic card transactions and four fraud models trained on them with ML.NET and exported to ONNX, once per test
/// run: the good one, one trained on shuffled labels, one that reads only the amount (a regression against production),
/// and one that never reads <c>Night</c> (unfair to France, where fraud happens at night).
/// </summary>
public sealed class FraudModels : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-quality-sample-").FullName;

    public FraudModels()
    {
        Training = Generate(20_000, seed: 1);
        Holdout = Generate(5_000, seed: 2);
        Good = Train("good", Training, "Amount", "Velocity", "Night");
        ShuffledLabels = Train("shuffled", Shuffle(Training), "Amount", "Velocity", "Night");
        AmountOnly = Train("amount-only", Training, "Amount");
        NoNight = Train("no-night", Training, "Amount", "Velocity");
    }

    public IReadOnlyList<Transaction> Training { get; }

    public IReadOnlyList<Transaction> Holdout { get; }

    public string Good { get; }

    public string ShuffledLabels { get; }

    public string AmountOnly { get; }

    public string NoNight { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// Fraud follows velocity, amount and the night everywhere; in France (a fifth of the rows) mostly the night.
    /// </summary>
    public static List<Transaction> Generate(int n, int seed)
    {
        var random = new Random(seed);
        string[] countries = ["DE", "NL", "BE", "IT", "FR"];
        return [.. Enumerable.Range(0, n).Select(_ =>
        {
            var country = countries[random.Next(countries.Length)];
            var amount = (float)(random.NextDouble() * 200);
            var velocity = (float)(random.NextDouble() * 10);
            var night = random.NextDouble() < 0.3 ? 1f : 0f;
            var logit = country == "FR" ? (5 * night) + (0.3 * velocity) - 4 : (0.6 * velocity) + (0.01 * amount) + (2 * night) - 5;
            return new Transaction { Amount = amount, Velocity = velocity, Night = night, Country = country, Label = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) };
        })];
    }

    private static List<Transaction> Shuffle(IReadOnlyList<Transaction> rows)
    {
        var random = new Random(3);
        var labels = rows.Select(r => r.Label).OrderBy(_ => random.Next()).ToList();
        return [.. rows.Select((r, i) => r with { Label = labels[i] })];
    }

    private string Train(string name, IReadOnlyList<Transaction> rows, params string[] features)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Concatenate("Features", features)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression())
            .Fit(data);
        var path = Path.Combine(_folder, name + ".onnx");
        using var file = File.Create(path);
        ml.Model.ConvertToOnnx(model, data, file);
        return path;
    }
}
