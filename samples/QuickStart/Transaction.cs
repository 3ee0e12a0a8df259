namespace QuickStart;

/// <summary>One row of the generated fraud dataset.</summary>
public sealed class Transaction
{
    public float Amount { get; set; }

    public float Hour { get; set; }

    public float Distance { get; set; }

    public float MerchantRisk { get; set; }

    public bool Label { get; set; }
}
