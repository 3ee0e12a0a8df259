using System.Text.Json.Serialization;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Onnx;

namespace MlOps.Sdk.Storage.Sqlite.Versioning;

[JsonSerializable(typeof(ModelSignature))]
[JsonSerializable(typeof(List<VersionSignature>))]
internal sealed partial class SqliteVersioningJson : JsonSerializerContext;
