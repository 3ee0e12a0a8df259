namespace MlOps.Sdk.Serving;

/// <summary>A named share of a host's traffic, served by the version an alias points to.</summary>
/// <param name="Name">The variant's name, reported with each of its predictions.</param>
/// <param name="Alias">The alias whose version serves it.</param>
/// <param name="Percent">Its share of the routing keys, 0 to 100.</param>
internal sealed record ModelVariant(string Name, string Alias, double Percent);
