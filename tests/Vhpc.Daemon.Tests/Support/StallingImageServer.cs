using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vhpc.Daemon.Tests.Support;

/// <summary>
/// Serves one file over HTTP/1.1 on 127.0.0.1 (inside the test's network namespace), honouring
/// <c>Range: bytes=N-</c>. The first request sends <paramref name="stallAfter"/> bytes of the body and
/// then stalls, holding the connection open, until the server is disposed: a download that is
/// certainly in flight when <see cref="Stalled"/> completes, whatever the machine's speed. Later
/// requests are served in full. Records each request's Range header.
/// </summary>
internal sealed class StallingImageServer : IAsyncDisposable
{
    private readonly byte[] _content;
    private readonly long _stallAfter;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _connections = [];
    private readonly Task _loop;
    private int _requests;

    public StallingImageServer(byte[] content, long stallAfter)
    {
        _content = content;
        _stallAfter = stallAfter;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/images/base.qcow2");
        _loop = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>Completes once the first response has sent its <c>stallAfter</c> bytes and stalls.</summary>
    public Task Stalled => _stalled.Task;

    /// <summary>The Range header of every request so far ("-" when absent), in order.</summary>
    public List<string> Ranges { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var range = await ReadRangeHeaderAsync(stream);
            var first = Interlocked.Increment(ref _requests) == 1;
            lock (Ranges)
            {
                Ranges.Add(range ?? "-");
            }

            long offset = 0;
            if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
            {
                offset = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
            }

            var length = _content.Length - offset;
            var head = offset > 0
                ? $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {offset}-{_content.Length - 1}/{_content.Length}\r\n"
                : "HTTP/1.1 200 OK\r\n";
            head += $"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
            if (!first)
            {
                await stream.WriteAsync(_content.AsMemory((int)offset), _stop.Token);
                return;
            }

            await stream.WriteAsync(_content.AsMemory((int)offset, (int)Math.Min(_stallAfter, length)), _stop.Token);
            await stream.FlushAsync(_stop.Token);
            _stalled.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Disposed: the stalled response ends with the connection.
            }
        }
    }

    /// <summary>Reads the request head up to the blank line; returns its Range header's value, if any.</summary>
    private async Task<string?> ReadRangeHeaderAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                throw new IOException("the client closed the connection before the end of its request head");
            }

            head.Append((char)one[0]);
        }

        return head.ToString().Split("\r\n")
            .Where(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
            .Select(l => l["Range:".Length..].Trim())
            .FirstOrDefault();
    }
}
