namespace MlOps.Sdk.Testing.Quality;

/// <summary>How a change to an input must move the score.</summary>
public enum ScoreDirection
{
    /// <summary>The score must not go down (raising <c>Amount</c> never lowers the fraud score).</summary>
    NotDecreasing,

    /// <summary>The score must not go up.</summary>
    NotIncreasing,
}
