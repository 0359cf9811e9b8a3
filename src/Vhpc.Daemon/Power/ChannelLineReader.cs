namespace Vhpc.Daemon.Power;

/// <summary>One line read from the channel, or the fact that one was longer than allowed (its bytes are dropped).</summary>
internal readonly record struct ChannelLine(byte[]? Bytes, bool Oversized);

/// <summary>
/// Splits what the guest writes into lines without ever holding more than
/// <see cref="PowerProtocol.MaxLineBytes"/> of one: a longer line is reported as oversized and skipped
/// up to its newline, so no amount of input grows vhpcd's memory.
/// </summary>
internal sealed class ChannelLineReader(Stream stream, int maxLineBytes = PowerProtocol.MaxLineBytes)
{
    private readonly byte[] _buffer = new byte[4096];
    private readonly byte[] _line = new byte[maxLineBytes];
    private int _start;
    private int _end;
    private int _length;
    private bool _discarding;

    /// <summary>The next line (without its newline); null at the end of the stream.</summary>
    public async ValueTask<ChannelLine?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_start < _end)
            {
                var b = _buffer[_start++];
                if (b == (byte)'\n')
                {
                    if (_discarding)
                    {
                        _discarding = false;
                        _length = 0;
                        return new ChannelLine(null, true);
                    }

                    var line = _line.AsSpan(0, _length).ToArray();
                    _length = 0;
                    return new ChannelLine(line, false);
                }

                if (_discarding)
                {
                    continue;
                }

                if (_length == _line.Length)
                {
                    _discarding = true;
                    continue;
                }

                _line[_length++] = b;
            }

            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (_end == 0)
            {
                return null;
            }
        }
    }
}
