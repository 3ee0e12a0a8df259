namespace MlOps.Sdk.Versioning;

/// <summary>What a lineage node stands for.</summary>
public enum LineageNodeKind
{
    /// <summary>A dataset version (<c>dataset:transactions/2</c>).</summary>
    DatasetVersion,

    /// <summary>A tracked run (<c>run:&lt;id&gt;</c>).</summary>
    Run,

    /// <summary>A model version (<c>model:fraud/3</c>).</summary>
    ModelVersion,

    /// <summary>An alias (<c>alias:fraud@production</c>).</summary>
    Alias,

    /// <summary>A process that served a model version (<c>deployment:fraud/3@machine/pid#primary</c>).</summary>
    Deployment,
}

/// <summary>A node of a lineage graph.</summary>
public sealed record LineageNode(LineageNodeKind Kind, string Id, string Label);

/// <summary>A directed edge: dataset -used by-> run -produced-> model version -served as-> alias, and model version -deployed on-> deployment.</summary>
public sealed record LineageEdge(string From, string To, string Relation);

/// <summary>The lineage around one dataset or model version.</summary>
public sealed record LineageGraph(IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges)
{
    /// <summary>Writes the graph as one edge per line, for logs and consoles.</summary>
    public override string ToString() =>
        string.Join(Environment.NewLine, Edges.Select(e => $"{Label(e.From)} --{e.Relation}--> {Label(e.To)}"));

    private string Label(string id) => Nodes.FirstOrDefault(n => n.Id == id)?.Label ?? id;
}

/// <summary>Answers "where did this model come from?" and "which models were trained on this data?".</summary>
public interface ILineage
{
    /// <summary>The datasets and run behind a model version, and the aliases that serve it.</summary>
    Task<LineageGraph> ForModelVersionAsync(string modelName, int version, CancellationToken cancellationToken = default);

    /// <summary>The runs that used a dataset version, the model versions they produced and the aliases serving those.</summary>
    Task<LineageGraph> ForDatasetVersionAsync(string datasetName, int version, CancellationToken cancellationToken = default);
}
