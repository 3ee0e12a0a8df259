using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>Between <see cref="TensorValue"/> and ONNX Runtime's values: element types, checks and conversions.</summary>
internal static class OrtTensors
{
    private static readonly (TensorElementType Ort, TensorDataType Data)[] Types =
    [
        (TensorElementType.Float, TensorDataType.Float32),
        (TensorElementType.Double, TensorDataType.Float64),
        (TensorElementType.Float16, TensorDataType.Float16),
        (TensorElementType.BFloat16, TensorDataType.BFloat16),
        (TensorElementType.Int8, TensorDataType.Int8),
        (TensorElementType.Int16, TensorDataType.Int16),
        (TensorElementType.Int32, TensorDataType.Int32),
        (TensorElementType.Int64, TensorDataType.Int64),
        (TensorElementType.UInt8, TensorDataType.UInt8),
        (TensorElementType.UInt16, TensorDataType.UInt16),
        (TensorElementType.UInt32, TensorDataType.UInt32),
        (TensorElementType.UInt64, TensorDataType.UInt64),
        (TensorElementType.Bool, TensorDataType.Bool),
        (TensorElementType.String, TensorDataType.String),
    ];

    /// <summary>The data type of an ONNX Runtime element type, or null when the untyped host does not take it.</summary>
    public static TensorDataType? DataType(TensorElementType type)
    {
        foreach (var (ort, data) in Types)
        {
            if (ort == type)
            {
                return data;
            }
        }

        return null;
    }

    /// <summary>The CLR type of an element type: ONNX Runtime's own <see cref="Float16"/> and <see cref="BFloat16"/> for the 16-bit floats.</summary>
    public static Type? ElementType(TensorElementType type) => type switch
    {
        TensorElementType.Float => typeof(float),
        TensorElementType.Double => typeof(double),
        TensorElementType.Float16 => typeof(Float16),
        TensorElementType.BFloat16 => typeof(BFloat16),
        TensorElementType.Int8 => typeof(sbyte),
        TensorElementType.Int16 => typeof(short),
        TensorElementType.Int32 => typeof(int),
        TensorElementType.Int64 => typeof(long),
        TensorElementType.UInt8 => typeof(byte),
        TensorElementType.UInt16 => typeof(ushort),
        TensorElementType.UInt32 => typeof(uint),
        TensorElementType.UInt64 => typeof(ulong),
        TensorElementType.Bool => typeof(bool),
        TensorElementType.String => typeof(string),
        _ => null,
    };

    /// <summary>
    /// A value of input <paramref name="name"/> over <paramref name="value"/>'s memory, pinned by <paramref name="pin"/>
    /// until the value is disposed; strings are copied into ONNX Runtime's own tensor.
    /// </summary>
    /// <exception cref="ModelInputException">The value's type, rank or a fixed size differs from what the model takes.</exception>
    public static OrtValue Create(string name, NodeMetadata meta, TensorValue value, out MemoryHandle pin)
    {
        pin = default;
        var expected = meta.IsTensor ? DataType(meta.ElementDataType) : null;
        var shape = value.Shape.ToArray();
        if (expected != value.DataType || shape.Length != meta.Dimensions.Length || meta.Dimensions.Where((d, i) => d >= 0 && d != shape[i]).Any())
        {
            throw new ModelInputException(name, $"the model takes {Accessors.Describe(meta)}; the tensor is {value.DataType.ToString().ToLowerInvariant()}[{string.Join(",", shape)}]");
        }

        return value.DataType switch
        {
            TensorDataType.String => Strings(value.AsSpan<string>(), shape),
            TensorDataType.Float32 => Pinned<float>(value, meta, shape, out pin),
            TensorDataType.Float64 => Pinned<double>(value, meta, shape, out pin),
            TensorDataType.Float16 => Pinned<Half>(value, meta, shape, out pin),
            TensorDataType.BFloat16 or TensorDataType.UInt16 => Pinned<ushort>(value, meta, shape, out pin),
            TensorDataType.Int8 => Pinned<sbyte>(value, meta, shape, out pin),
            TensorDataType.Int16 => Pinned<short>(value, meta, shape, out pin),
            TensorDataType.Int32 => Pinned<int>(value, meta, shape, out pin),
            TensorDataType.Int64 => Pinned<long>(value, meta, shape, out pin),
            TensorDataType.UInt8 => Pinned<byte>(value, meta, shape, out pin),
            TensorDataType.UInt32 => Pinned<uint>(value, meta, shape, out pin),
            TensorDataType.UInt64 => Pinned<ulong>(value, meta, shape, out pin),
            TensorDataType.Bool => Pinned<bool>(value, meta, shape, out pin),
            _ => throw new ModelInputException(name, $"a {value.DataType} cannot be fed to a model"),
        };
    }

    private static unsafe OrtValue Pinned<T>(TensorValue value, NodeMetadata meta, long[] shape, out MemoryHandle pin)
        where T : unmanaged
    {
        var memory = value.AsMemory<T>();
        pin = memory.Pin();
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, meta.ElementDataType, shape, (IntPtr)pin.Pointer, (long)memory.Length * sizeof(T));
    }

    /// <summary>A tensor over <paramref name="values"/> (an array of any rank, any element type of the right size), pinned until the value is disposed.</summary>
    public static OrtValue Over(Array values, TensorElementType type, long[] shape) => type switch
    {
        TensorElementType.Float => Over<float>(values, shape),
        TensorElementType.Double => Over<double>(values, shape),
        TensorElementType.Float16 => Over<Float16>(values, shape),
        TensorElementType.BFloat16 => Over<BFloat16>(values, shape),
        TensorElementType.Int8 => Over<sbyte>(values, shape),
        TensorElementType.Int16 => Over<short>(values, shape),
        TensorElementType.Int32 => Over<int>(values, shape),
        TensorElementType.Int64 => Over<long>(values, shape),
        TensorElementType.UInt8 => Over<byte>(values, shape),
        TensorElementType.UInt16 => Over<ushort>(values, shape),
        TensorElementType.UInt32 => Over<uint>(values, shape),
        TensorElementType.UInt64 => Over<ulong>(values, shape),
        TensorElementType.Bool => Over<bool>(values, shape),
        var other => throw new ModelMappingException($"Element type {other} cannot be fed from an array."),
    };

    private static OrtValue Over<T>(Array values, long[] shape)
        where T : unmanaged => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new ArrayMemory<T>(values).Memory, shape);

    /// <summary>A string tensor of <paramref name="shape"/> holding <paramref name="values"/>.</summary>
    public static OrtValue Strings(ReadOnlySpan<string> values, long[] shape)
    {
        var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (var i = 0; i < values.Length; i++)
        {
            tensor.StringTensorSetElementAt(values[i].AsSpan(), i);
        }

        return tensor;
    }

    /// <summary>A run's output as a <see cref="TensorValue"/>: tensors with the shape the run gave them, a sequence of maps as dictionaries.</summary>
    /// <exception cref="ModelMappingException">The output is of a kind that cannot be read (a map to other values than float, a sparse tensor).</exception>
    public static TensorValue Read(string name, OrtValue value)
    {
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            return ReadMaps(name, value);
        }

        if (!value.IsTensor)
        {
            throw new ModelMappingException($"Output '{name}' is a {value.OnnxType}; tensors and sequences of maps can be read.");
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        return info.ElementDataType switch
        {
            TensorElementType.Float => TensorValue.Create(value.GetTensorDataAsSpan<float>().ToArray(), shape),
            TensorElementType.Double => TensorValue.Create(value.GetTensorDataAsSpan<double>().ToArray(), shape),
            TensorElementType.Float16 => TensorValue.Create(MemoryMarshal.Cast<Float16, Half>(value.GetTensorDataAsSpan<Float16>()).ToArray(), shape),
            TensorElementType.BFloat16 => TensorValue.FromBFloat16Bits(MemoryMarshal.Cast<BFloat16, ushort>(value.GetTensorDataAsSpan<BFloat16>()).ToArray(), shape),
            TensorElementType.Int8 => TensorValue.Create(value.GetTensorDataAsSpan<sbyte>().ToArray(), shape),
            TensorElementType.Int16 => TensorValue.Create(value.GetTensorDataAsSpan<short>().ToArray(), shape),
            TensorElementType.Int32 => TensorValue.Create(value.GetTensorDataAsSpan<int>().ToArray(), shape),
            TensorElementType.Int64 => TensorValue.Create(value.GetTensorDataAsSpan<long>().ToArray(), shape),
            TensorElementType.UInt8 => TensorValue.Create(value.GetTensorDataAsSpan<byte>().ToArray(), shape),
            TensorElementType.UInt16 => TensorValue.Create(value.GetTensorDataAsSpan<ushort>().ToArray(), shape),
            TensorElementType.UInt32 => TensorValue.Create(value.GetTensorDataAsSpan<uint>().ToArray(), shape),
            TensorElementType.UInt64 => TensorValue.Create(value.GetTensorDataAsSpan<ulong>().ToArray(), shape),
            TensorElementType.Bool => TensorValue.Create(value.GetTensorDataAsSpan<bool>().ToArray(), shape),
            TensorElementType.String => TensorValue.Create(value.GetStringTensorAsArray(), shape),
            var other => throw new ModelMappingException($"Output '{name}' has element type {other}, which cannot be read."),
        };
    }

    /// <summary>The maps of a <c>seq(map(int64|string, float))</c> output, one per row.</summary>
    public static TensorValue ReadMaps(string name, OrtValue sequence)
    {
        var count = sequence.GetValueCount();
        var keysAreStrings = false;
        var maps = new object[count];
        for (var i = 0; i < count; i++)
        {
            using var map = sequence.GetValue(i, OrtAllocator.DefaultInstance);
            if (map.OnnxType != OnnxValueType.ONNX_TYPE_MAP)
            {
                throw new ModelMappingException($"Output '{name}' is a sequence of {map.OnnxType}; sequences of maps can be read.");
            }

            using var keys = map.GetValue(0, OrtAllocator.DefaultInstance);
            using var values = map.GetValue(1, OrtAllocator.DefaultInstance);
            if (values.GetTensorTypeAndShape().ElementDataType != TensorElementType.Float)
            {
                throw new ModelMappingException($"Output '{name}' maps to {values.GetTensorTypeAndShape().ElementDataType}; maps to float can be read.");
            }

            var scores = values.GetTensorDataAsSpan<float>();
            switch (keys.GetTensorTypeAndShape().ElementDataType)
            {
                case TensorElementType.Int64:
                    var longKeys = keys.GetTensorDataAsSpan<long>();
                    var byLong = new Dictionary<long, float>(longKeys.Length);
                    for (var k = 0; k < longKeys.Length; k++)
                    {
                        byLong[longKeys[k]] = scores[k];
                    }

                    maps[i] = byLong;
                    break;
                case TensorElementType.String:
                    var stringKeys = keys.GetStringTensorAsArray();
                    keysAreStrings = true;
                    var byString = new Dictionary<string, float>(stringKeys.Length, StringComparer.Ordinal);
                    for (var k = 0; k < stringKeys.Length; k++)
                    {
                        byString[stringKeys[k]] = scores[k];
                    }

                    maps[i] = byString;
                    break;
                case var other:
                    throw new ModelMappingException($"Output '{name}' is keyed by {other}; maps keyed by int64 or string can be read.");
            }
        }

        return keysAreStrings
            ? TensorValue.CreateMaps(maps.Cast<IReadOnlyDictionary<string, float>>().ToArray())
            : TensorValue.CreateMaps(maps.Cast<IReadOnlyDictionary<long, float>>().ToArray());
    }
}
