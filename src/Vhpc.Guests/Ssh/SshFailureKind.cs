using System.Net.Sockets;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace Vhpc.Guests.Ssh;

internal enum SshFailureKind
{
    /// <summary>Not worth retrying: host key mismatch, a failed readiness check, a bad key file, ...</summary>
    Permanent,

    /// <summary>The guest is not listening or not reachable yet (refused, timed out, reset, no route).</summary>
    NotReachableYet,

    /// <summary>sshd answered but rejected the key: transient only while cloud-init may still be creating the user.</summary>
    AuthenticationRejected,
}

/// <summary>Sorts SSH failures into those a booting guest produces and those it does not.</summary>
internal static class SshFailures
{
    public static SshFailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case HostKeyMismatchException or ReadinessCheckFailedException:
                return SshFailureKind.Permanent;
            case SshAuthenticationException:
                return SshFailureKind.AuthenticationRejected;
            case SshOperationTimeoutException:
                return SshFailureKind.NotReachableYet;
            case SocketException socket:
                return Classify(socket.SocketErrorCode);
            case SshConnectionException connection:
                // A starting sshd (or one restarted by cloud-init) drops connections mid-handshake;
                // failures of key exchange or host key verification are not that.
                return connection.DisconnectReason is DisconnectReason.None or DisconnectReason.ConnectionLost
                    or DisconnectReason.ByApplication or DisconnectReason.ServiceNotAvailable
                    or DisconnectReason.TooManyConnections
                    ? SshFailureKind.NotReachableYet
                    : SshFailureKind.Permanent;
            case IOException { InnerException: SocketException inner }:
                return Classify(inner.SocketErrorCode);
            default:
                return SshFailureKind.Permanent;
        }
    }

    private static SshFailureKind Classify(SocketError error) => error switch
    {
        // HostUnreachable/NetworkUnreachable: before the guest answers ARP the bridge reports
        // "no route to host", which during boot means the same as a timeout.
        SocketError.ConnectionRefused or SocketError.TimedOut or SocketError.ConnectionReset
            or SocketError.ConnectionAborted or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.HostDown or SocketError.TryAgain => SshFailureKind.NotReachableYet,
        _ => SshFailureKind.Permanent,
    };
}
