using System.Net.Sockets;
using Vhpc.Posix;

namespace Vhpc.Daemon.Logging;

/// <summary>
/// journald's native socket (AF_UNIX, SOCK_DGRAM): one datagram per entry, sent unconnected each time so
/// a restarted journald is found again. An entry too large for a datagram (EMSGSIZE) goes through a
/// sealed memfd passed with SCM_RIGHTS, as sd_journal_sendv does.
/// </summary>
internal sealed class JournalSocket : IDisposable
{
    public const string DefaultPath = "/run/systemd/journal/socket";

    // sd-journal asks for an 8 MiB send buffer; the kernel caps it at net.core.wmem_max.
    private const int SendBufferSize = 8 << 20;

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;

    public JournalSocket(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _endpoint = new UnixDomainSocketEndPoint(path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            _socket.SendBufferSize = SendBufferSize;
        }
        catch (SocketException)
        {
            // A smaller buffer only means more entries take the memfd path.
        }
    }

    public string Path { get; }

    /// <summary>Sends one serialized entry; false (never an exception) when journald did not take it.</summary>
    public bool TrySend(byte[] payload)
    {
        try
        {
            _socket.SendTo(payload, SocketFlags.None, _endpoint);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize || e.NativeErrorCode == Errno.MessageTooLong)
        {
            return TrySendThroughMemfd(payload);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    private bool TrySendThroughMemfd(byte[] payload)
    {
        try
        {
            using var memfd = SealedMemoryFile.Create("journal-data", payload);
            return UnixDatagrams.SendDescriptor(_socket.SafeHandle, Path, memfd) == 0;
        }
        catch (Exception e) when (e is IOException or ArgumentException or ObjectDisposedException)
        {
            return false;
        }
    }
}
