using System.Net.Sockets;
using System.Text;

namespace Vhpc.Daemon.Tests.Support;

/// <summary>A Unix datagram socket standing in for systemd's NOTIFY_SOCKET; collects sd_notify messages.</summary>
internal sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifyListener(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>The next datagram, or null when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits for a datagram containing <paramref name="line"/> (e.g. READY=1), skipping others (STATUS=...).</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(string line, TimeSpan timeout)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var message = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (message is null)
            {
                break;
            }

            seen.Add(message);
            if (message.Split('\n').Contains(line))
            {
                return seen;
            }
        }

        throw new Xunit.Sdk.XunitException($"no '{line}' on the notify socket within {timeout.TotalSeconds} s; received: [{string.Join(" | ", seen)}]");
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
