using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Tracking.Writing;

/// <summary>A queued param, tag or dataset input: few, never dropped, so kept apart from the bounded metric queue.</summary>
internal abstract record ControlRecord
{
    public sealed record Param(RunValue Value) : ControlRecord;

    public sealed record Tag(RunTag Value) : ControlRecord;

    public sealed record Input(RunInput Value) : ControlRecord;
}
