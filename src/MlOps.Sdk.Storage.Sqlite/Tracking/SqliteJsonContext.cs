using System.Text.Json.Serialization;

namespace MlOps.Sdk.Storage.Sqlite.Tracking;

/// <summary>Lists of ids pass to SQLite as one JSON parameter read with <c>json_each</c>.</summary>
[JsonSerializable(typeof(List<string>))]
internal sealed partial class SqliteJsonContext : JsonSerializerContext;
