using System.Net;
using System.Net.Sockets;

namespace Vhpc.Guests.Addresses;

/// <summary>
/// A connect and an immediate close, as the status probe does; a refused connection counts too, since
/// only a host that holds the address sends the reset (its kernel answers before sshd runs).
/// </summary>
internal sealed class TcpAddressProbe : IAddressProbe
{
    public async Task<AddressAnswer> ProbeAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, bounded.Token).ConfigureAwait(false);
            return AddressAnswer.Accepted;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AddressAnswer.Silent;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused ? AddressAnswer.Refused : AddressAnswer.Silent;
        }
    }
}
