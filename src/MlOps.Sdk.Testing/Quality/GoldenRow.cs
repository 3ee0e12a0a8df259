namespace MlOps.Sdk.Testing.Quality;

/// <summary>One golden prediction: an input and the score the model gave it when the file was written.</summary>
/// <param name="Input">The input.</param>
/// <param name="Score">The score.</param>
public sealed record GoldenRow<TIn>(TIn Input, double Score);
