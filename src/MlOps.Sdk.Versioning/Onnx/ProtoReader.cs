namespace MlOps.Sdk.Versioning.Onnx;

/// <summary>
/// Reads protobuf wire format from a forward-only stream, keeping count of the position so that nested messages
/// can be bounded and large fields skipped without holding them in memory.
/// </summary>
internal sealed class ProtoReader(Stream stream)
{
    private const int MaxInlineBytes = 16 * 1024 * 1024;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public long Position { get; private set; }

    public bool TryReadTag(long limit, out int field, out int wireType)
    {
        field = wireType = 0;
        if (Position >= limit || !Fill(1))
        {
            return false;
        }

        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (field == 0)
        {
            throw new OnnxFormatException($"field number 0 at byte {Position}");
        }

        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new OnnxFormatException($"a malformed varint at byte {Position}");
    }

    /// <summary>Reads a length prefix and returns where the field ends.</summary>
    public long ReadLength(long limit)
    {
        var length = ReadVarint();
        var end = Position + (long)Math.Min(length, long.MaxValue / 2);
        if (length > long.MaxValue / 2 || end > limit)
        {
            throw new OnnxFormatException($"a field at byte {Position} runs past its message");
        }

        return end;
    }

    public byte[] ReadBytes(long limit)
    {
        var end = ReadLength(limit);
        var length = end - Position;
        if (length > MaxInlineBytes)
        {
            throw new OnnxFormatException($"a {length}-byte field at byte {Position} where a name or small message was expected");
        }

        var bytes = new byte[length];
        var copied = 0;
        while (copied < bytes.Length)
        {
            if (!Fill(1))
            {
                throw new OnnxFormatException("the content ends inside a field");
            }

            var n = Math.Min(_end - _start, bytes.Length - copied);
            Buffer.BlockCopy(_buffer, _start, bytes, copied, n);
            _start += n;
            copied += n;
            Position += n;
        }

        return bytes;
    }

    public string ReadString(long limit) => System.Text.Encoding.UTF8.GetString(ReadBytes(limit));

    public void Skip(int wireType, long limit)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                SkipTo(Position + 8, limit);
                break;
            case 2:
                SkipTo(ReadLength(limit), limit);
                break;
            case 5:
                SkipTo(Position + 4, limit);
                break;
            default:
                throw new OnnxFormatException($"unsupported wire type {wireType} at byte {Position}");
        }
    }

    public void SkipTo(long target, long limit)
    {
        if (target > limit)
        {
            throw new OnnxFormatException($"a field at byte {Position} runs past its message");
        }

        while (Position < target)
        {
            if (!Fill(1))
            {
                throw new OnnxFormatException("the content ends inside a field");
            }

            var n = (int)Math.Min(_end - _start, target - Position);
            _start += n;
            Position += n;
        }
    }

    private byte ReadByte()
    {
        if (!Fill(1))
        {
            throw new OnnxFormatException("the content ends inside a field");
        }

        Position++;
        return _buffer[_start++];
    }

    private bool Fill(int needed)
    {
        if (_end - _start >= needed)
        {
            return true;
        }

        if (_start == _end)
        {
            _start = _end = 0;
        }

        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        return _end - _start >= needed;
    }
}
