using Google.Protobuf;
using MlOps.Sdk.Versioning.Onnx;
using WireType = Google.Protobuf.WireFormat.WireType;

namespace MlOps.Sdk.Onnx;

/// <summary>The field numbers of onnx.proto that the SDK reads and writes.</summary>
internal static class OnnxField
{
    public const int ModelIrVersion = 1;
    public const int ModelProducerName = 2;
    public const int ModelGraph = 7;
    public const int ModelOpsetImport = 8;

    public const int GraphNode = 1;
    public const int GraphName = 2;
    public const int GraphInitializer = 5;
    public const int GraphInput = 11;
    public const int GraphOutput = 12;
    public const int GraphValueInfo = 13;
    public const int GraphSparseInitializer = 15;

    public const int NodeInput = 1;
    public const int NodeOutput = 2;
    public const int NodeOpType = 4;
    public const int NodeAttribute = 5;

    public const int AttributeName = 1;
    public const int AttributeInt = 3;
    public const int AttributeGraph = 6;
    public const int AttributeGraphs = 11;
    public const int AttributeType = 20;

    public const int ValueInfoName = 1;
    public const int ValueInfoType = 2;

    public const int TypeTensor = 1;
    public const int TypeSequence = 4;
    public const int TypeMap = 5;
    public const int TypeOptional = 9;

    public const int TensorTypeElementType = 1;
    public const int TensorTypeShape = 2;
    public const int ShapeDimension = 1;
    public const int DimensionValue = 1;
    public const int DimensionParam = 2;

    public const int TensorDims = 1;
    public const int TensorDataType = 2;
    public const int TensorStringData = 6;
    public const int TensorName = 8;
    public const int TensorRawData = 9;

    public const int OpsetDomain = 1;
    public const int OpsetVersion = 2;
}

/// <summary>
/// Reads an ONNX model's protobuf fields one at a time with Google.Protobuf's <see cref="CodedInputStream"/>, from a
/// stream (nothing is held but the field being read: a large model is never loaded whole) or from bytes in memory.
/// Each nested message is bounded by its end; every malformed input becomes an <see cref="OnnxFormatException"/>.
/// </summary>
internal sealed class OnnxReader
{
    private readonly CodedInputStream _input;

    /// <summary>Reads <paramref name="model"/> forward from where it is (it need not seek); the stream stays open.</summary>
    public OnnxReader(Stream model) => _input = new CodedInputStream(new Forward(model), leaveOpen: true);

    /// <summary>Reads <paramref name="model"/>[<paramref name="start"/>..<paramref name="end"/>]; positions are indexes into it.</summary>
    public OnnxReader(byte[] model, int start, int end) => _input = new CodedInputStream(model, start, end - start);

    /// <summary>Where the next field starts (an index into the bytes, or the count of bytes read from the stream).</summary>
    public long Position => _input.Position;

    /// <summary>Moves to the next field of the message that ends at <paramref name="end"/>; false at its end.</summary>
    public bool Next(long end, out int field, out WireType wire)
    {
        field = 0;
        wire = WireType.Varint;
        if (Position >= end)
        {
            return false;
        }

        var tag = Guard(_input.ReadTag);
        if (tag == 0)
        {
            return end == long.MaxValue ? false : throw new OnnxFormatException($"the content ends inside a message that runs to byte {end}");
        }

        field = WireFormat.GetTagFieldNumber(tag);
        wire = WireFormat.GetTagWireType(tag);
        return true;
    }

    /// <summary>Reads the length of the length-delimited field just met and returns where its value ends.</summary>
    public long ValueEnd(long end)
    {
        var length = Guard(_input.ReadLength);
        var valueEnd = Position + length;
        return length < 0 || valueEnd > end ? throw new OnnxFormatException($"a field at byte {Position} runs past its message") : valueEnd;
    }

    public ulong Varint(long end) => Within(end, Guard(_input.ReadUInt64));

    public string Text(long end) => Within(end, Guard(_input.ReadString));

    /// <summary>Skips the field just met.</summary>
    public void Skip(long end)
    {
        try
        {
            _input.SkipLastField();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Malformed(e);
        }

        Within(end, true);
    }

    /// <summary>Skips what is left of the message that ends at <paramref name="end"/>.</summary>
    public void SkipTo(long end)
    {
        while (Next(end, out _, out _))
        {
            Skip(end);
        }
    }

    private T Within<T>(long end, T value) =>
        Position > end ? throw new OnnxFormatException($"a field before byte {Position} runs past its message, which ends at byte {end}") : value;

    /// <summary>
    /// A stream read forward that knows how far it has read: <see cref="CodedInputStream.Position"/> asks the stream
    /// where it is, which a network body or a pipe cannot say.
    /// </summary>
    private sealed class Forward(Stream inner) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            _read += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Malformed(e);
        }
    }

    private static OnnxFormatException Malformed(InvalidProtocolBufferException error) => new(error.Message.TrimEnd('.'));
}

/// <summary>Writes one protobuf message with Google.Protobuf's <see cref="CodedOutputStream"/>.</summary>
internal sealed class OnnxWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    public OnnxWriter() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

    public OnnxWriter Varint(int field, ulong value)
    {
        _output.WriteTag(field, WireType.Varint);
        _output.WriteUInt64(value);
        return this;
    }

    public OnnxWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        _output.WriteTag(field, WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public OnnxWriter Text(int field, string value)
    {
        _output.WriteTag(field, WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public OnnxWriter Message(int field, OnnxWriter message) => Bytes(field, message.ToArray());

    /// <summary>Copies fields already encoded (tag, length and value), byte for byte.</summary>
    public OnnxWriter Encoded(ReadOnlySpan<byte> fields)
    {
        _output.Flush();
        _buffer.Write(fields);
        return this;
    }

    public byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }
}
