namespace MlOps.Sdk.Serving;

/// <summary>What a <see cref="TensorValue"/> holds: the element type of a tensor, or a sequence of maps.</summary>
public enum TensorDataType
{
    /// <summary>32-bit floating point (<see cref="float"/>).</summary>
    Float32,

    /// <summary>64-bit floating point (<see cref="double"/>).</summary>
    Float64,

    /// <summary>16-bit IEEE floating point (<see cref="Half"/>).</summary>
    Float16,

    /// <summary>bfloat16: the upper 16 bits of a <see cref="float"/>, held as <see cref="ushort"/>.</summary>
    BFloat16,

    /// <summary>Signed 8-bit integer (<see cref="sbyte"/>).</summary>
    Int8,

    /// <summary>Signed 16-bit integer (<see cref="short"/>).</summary>
    Int16,

    /// <summary>Signed 32-bit integer (<see cref="int"/>).</summary>
    Int32,

    /// <summary>Signed 64-bit integer (<see cref="long"/>).</summary>
    Int64,

    /// <summary>Unsigned 8-bit integer (<see cref="byte"/>).</summary>
    UInt8,

    /// <summary>Unsigned 16-bit integer (<see cref="ushort"/>).</summary>
    UInt16,

    /// <summary>Unsigned 32-bit integer (<see cref="uint"/>).</summary>
    UInt32,

    /// <summary>Unsigned 64-bit integer (<see cref="ulong"/>).</summary>
    UInt64,

    /// <summary>Boolean (<see cref="bool"/>).</summary>
    Bool,

    /// <summary>UTF-8 text (<see cref="string"/>).</summary>
    String,

    /// <summary>
    /// A sequence of maps from <see cref="long"/> or <see cref="string"/> keys to <see cref="float"/> values, one map per
    /// row: what a scikit-learn classifier exported with a ZipMap returns. Read it with <see cref="TensorValue.AsMaps{TKey}"/>.
    /// </summary>
    MapSequence,
}
