using System.Net;
using System.Net.Sockets;

namespace Vhpc.Guests.Ssh;

/// <summary>
/// A connect and an immediate close: nothing is sent, so sshd sees at most a connection closed before
/// the key exchange. Refused, unreachable and timed-out connections all mean "does not accept".
/// </summary>
internal sealed class TcpProbe : ITcpProbe
{
    public async Task<bool> AcceptsAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, bounded.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
