using System.Security.Cryptography;

namespace MlOps.Sdk.Artifacts;

/// <summary>
/// A read-only stream that hashes what passes through it and, on reaching the end, throws
/// <see cref="ArtifactIntegrityException"/> unless the content matches the expected digest.
/// </summary>
/// <remarks>For artifact-store implementations: wrap the raw content stream before returning it.</remarks>
internal sealed class DigestVerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly ContentDigest _expected;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _verified;

    /// <summary>Wraps <paramref name="inner"/>, which this stream then owns.</summary>
    public DigestVerifyingStream(Stream inner, ContentDigest expected)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _expected = expected;
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _inner.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => _inner.Position;
        set => throw new NotSupportedException("A verifying stream reads forward only.");
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => Observe(buffer, _inner.Read(buffer), buffer.Length);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Observe(buffer.Span, read, buffer.Length);
    }

    private int Observe(ReadOnlySpan<byte> buffer, int read, int requested)
    {
        if (read > 0)
        {
            _hash.AppendData(buffer[..read]);
        }
        else if (requested > 0 && !_verified)
        {
            _verified = true;
            var actual = ContentDigest.FromHash(_hash.GetHashAndReset());
            if (actual != _expected)
            {
                throw new ArtifactIntegrityException(
                    _expected,
                    $"Content stored as {_expected} reads back as {actual}: it was corrupted or altered after it was written. Restore it from a backup or put it again.");
            }
        }

        return read;
    }

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A verifying stream reads forward only.");

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("A verifying stream is read-only.");

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A verifying stream is read-only.");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _hash.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
