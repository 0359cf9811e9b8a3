namespace Vhpc.Seed.Iso9660;

/// <summary>
/// A read-only, forward-only stream over consecutive pieces of memory, produced lazily, so an image
/// can be pulled by a consumer (a libvirt volume upload) without first being copied into one buffer.
/// </summary>
internal sealed class SegmentStream(IEnumerable<ReadOnlyMemory<byte>> segments, long length) : Stream
{
    private readonly IEnumerator<ReadOnlyMemory<byte>> _segments = segments.GetEnumerator();
    private ReadOnlyMemory<byte> _current = ReadOnlyMemory<byte>.Empty;
    private long _position;
    private bool _finished;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("The image stream reads front to back only.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            if (_current.IsEmpty)
            {
                if (_finished || !_segments.MoveNext())
                {
                    _finished = true;
                    break;
                }

                _current = _segments.Current;
                continue;
            }

            var n = Math.Min(_current.Length, buffer.Length - total);
            _current.Span[..n].CopyTo(buffer[total..]);
            _current = _current[n..];
            total += n;
        }

        _position += total;
        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) =>
        throw new NotSupportedException("The image stream reads front to back only.");

    public override void SetLength(long value) =>
        throw new NotSupportedException("The image stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The image stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _segments.Dispose();
        }

        base.Dispose(disposing);
    }
}
