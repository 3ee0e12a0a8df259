using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Versioning.Lineage;

internal sealed class LineageQueries(ModelRegistryStore registry, DatasetStore? datasets, ExperimentTracker? tracker) : ILineage
{
    public async Task<LineageGraph> ForModelVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        var graph = new Builder();
        var model = await registry.GetVersionAsync(modelName, version, cancellationToken).ConfigureAwait(false)
            ?? throw new MlOpsNotFoundException($"Model '{modelName}' has no version {version}.");
        var modelNode = graph.Model(model);
        await AddAliasesAsync(graph, [model], cancellationToken).ConfigureAwait(false);
        foreach (var deployment in await registry.ListDeploymentsAsync(modelName, version, cancellationToken).ConfigureAwait(false))
        {
            graph.Edge(modelNode, graph.Deployment(deployment), "deployed on");
        }

        if (model.SourceRunId is null || tracker is null)
        {
            return graph.Build();
        }

        var run = await tracker.GetRunAsync(model.SourceRunId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return graph.Build();
        }

        var runNode = graph.Run(run.Info);
        graph.Edge(runNode, modelNode, "produced");
        foreach (var input in run.Inputs)
        {
            foreach (var dataset in await FindDatasetsAsync(input, cancellationToken).ConfigureAwait(false))
            {
                graph.Edge(graph.Dataset(dataset), runNode, string.IsNullOrEmpty(input.Context) ? "used by" : $"used by ({input.Context})");
            }
        }

        return graph.Build();
    }

    public async Task<LineageGraph> ForDatasetVersionAsync(string datasetName, int version, CancellationToken cancellationToken = default)
    {
        var store = datasets ?? throw new MlOpsException("Dataset lineage needs the datasets: call .AddDatasets().");
        var dataset = await store.GetVersionAsync(datasetName, version, cancellationToken).ConfigureAwait(false)
            ?? throw new MlOpsNotFoundException($"Dataset '{datasetName}' has no version {version}.");
        var graph = new Builder();
        var datasetNode = graph.Dataset(dataset);
        if (tracker is null)
        {
            return graph.Build();
        }

        var runs = new Dictionary<string, string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await tracker.SearchRunsAsync(
                new RunSearchQuery { Filter = $"datasets.digest = '{dataset.Digest}'", MaxResults = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var run in page.Runs)
            {
                var context = run.Inputs.FirstOrDefault(i => i.Digest == dataset.Digest)?.Context;
                runs[run.Info.RunId] = graph.Run(run.Info);
                graph.Edge(datasetNode, runs[run.Info.RunId], string.IsNullOrEmpty(context) ? "used by" : $"used by ({context})");
            }

            token = page.NextPageToken;
        }
        while (token is not null);

        var models = await registry.FindVersionsFromRunsAsync(runs.Keys, cancellationToken).ConfigureAwait(false);
        foreach (var model in models)
        {
            graph.Edge(runs[model.SourceRunId!], graph.Model(model), "produced");
        }

        await AddAliasesAsync(graph, models, cancellationToken).ConfigureAwait(false);
        return graph.Build();
    }

    private async Task AddAliasesAsync(Builder graph, IReadOnlyList<ModelVersion> versions, CancellationToken cancellationToken)
    {
        foreach (var name in versions.Select(v => v.ModelName).Distinct(StringComparer.Ordinal))
        {
            var model = await registry.GetModelAsync(name, cancellationToken).ConfigureAwait(false);
            foreach (var (alias, number) in model?.Aliases ?? new Dictionary<string, int>())
            {
                var version = versions.FirstOrDefault(v => v.ModelName == name && v.Number == number);
                if (version is not null)
                {
                    graph.Edge(graph.Model(version), graph.Alias(name, alias), "served as");
                }
            }
        }
    }

    private async Task<IReadOnlyList<DatasetVersion>> FindDatasetsAsync(DatasetInput input, CancellationToken cancellationToken) =>
        datasets is null ? [] : (await datasets.FindVersionsByDigestAsync(input.Digest, cancellationToken).ConfigureAwait(false)).Where(d => d.Name == input.Name).ToList();

    private sealed class Builder
    {
        private readonly Dictionary<string, LineageNode> _nodes = new(StringComparer.Ordinal);
        private readonly List<LineageEdge> _edges = [];

        public string Dataset(DatasetVersion d) => Node(LineageNodeKind.DatasetVersion, $"dataset:{d.Name}/{d.Version}", $"dataset {d.Name}/{d.Version}");

        public string Run(RunInfo r) => Node(LineageNodeKind.Run, $"run:{r.RunId}", $"run {r.Name} ({r.RunId[..8]})");

        public string Model(ModelVersion v) => Node(LineageNodeKind.ModelVersion, $"model:{v.Reference}", $"model {v.Reference}");

        public string Deployment(ModelDeployment d) => Node(
            LineageNodeKind.Deployment,
            $"deployment:{d.ModelName}/{d.Version}@{d.Instance}#{d.Variant}",
            $"{d.Instance} ({d.Variant}) since {d.StartedAt:u}");

        public string Alias(string model, string alias) => Node(LineageNodeKind.Alias, $"alias:{model}@{alias}", $"{model}@{alias}");

        public void Edge(string from, string to, string relation)
        {
            var edge = new LineageEdge(from, to, relation);
            if (!_edges.Contains(edge))
            {
                _edges.Add(edge);
            }
        }

        /// <summary>Edges from the data towards the aliases: dataset, run, model version.</summary>
        public LineageGraph Build() => new(_nodes.Values.ToList(), _edges.OrderBy(e => _nodes[e.From].Kind).ToList());

        private string Node(LineageNodeKind kind, string id, string label)
        {
            _nodes.TryAdd(id, new LineageNode(kind, id, label));
            return id;
        }
    }
}
