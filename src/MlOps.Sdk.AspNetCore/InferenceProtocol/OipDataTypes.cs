using MlOps.Sdk.Serving;

namespace MlOps.Sdk.AspNetCore.InferenceProtocol;

/// <summary>
/// The protocol's tensor data types (its "Tensor Data Types" table) and the element types of the untyped host. BF16 is
/// Triton's extension of the table; a sequence of maps (ONNX ZipMap) goes out as BYTES, one JSON object per row.
/// </summary>
internal static class OipDataTypes
{
    private static readonly Dictionary<string, TensorDataType> ByName = new(StringComparer.Ordinal)
    {
        ["BOOL"] = TensorDataType.Bool,
        ["UINT8"] = TensorDataType.UInt8,
        ["UINT16"] = TensorDataType.UInt16,
        ["UINT32"] = TensorDataType.UInt32,
        ["UINT64"] = TensorDataType.UInt64,
        ["INT8"] = TensorDataType.Int8,
        ["INT16"] = TensorDataType.Int16,
        ["INT32"] = TensorDataType.Int32,
        ["INT64"] = TensorDataType.Int64,
        ["FP16"] = TensorDataType.Float16,
        ["BF16"] = TensorDataType.BFloat16,
        ["FP32"] = TensorDataType.Float32,
        ["FP64"] = TensorDataType.Float64,
        ["BYTES"] = TensorDataType.String,
    };

    private static readonly Dictionary<string, string> ByOnnxName = new(StringComparer.Ordinal)
    {
        ["bool"] = "BOOL",
        ["uint8"] = "UINT8",
        ["uint16"] = "UINT16",
        ["uint32"] = "UINT32",
        ["uint64"] = "UINT64",
        ["int8"] = "INT8",
        ["int16"] = "INT16",
        ["int32"] = "INT32",
        ["int64"] = "INT64",
        ["float16"] = "FP16",
        ["bfloat16"] = "BF16",
        ["float"] = "FP32",
        ["double"] = "FP64",
        ["string"] = "BYTES",
    };

    /// <summary>Every data type name, case-sensitive as the protocol says.</summary>
    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryParse(string name, out TensorDataType type) => ByName.TryGetValue(name, out type);

    public static string Name(TensorDataType type) => type switch
    {
        TensorDataType.MapSequence => "BYTES",
        _ => ByName.First(p => p.Value == type).Key,
    };

    /// <summary>The protocol's name of a signature's ONNX element type; BYTES for sequences and maps.</summary>
    public static string FromOnnx(string elementType) => ByOnnxName.GetValueOrDefault(elementType, "BYTES");
}
