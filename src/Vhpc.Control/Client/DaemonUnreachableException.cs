using System.Net.Sockets;

namespace Vhpc.Control.Client;

/// <summary>The control socket could not be reached (missing, refused, no permission, or closed mid-reply).</summary>
public sealed class DaemonUnreachableException : Exception
{
    public DaemonUnreachableException()
    {
    }

    public DaemonUnreachableException(string message)
        : base(message)
    {
    }

    public DaemonUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DaemonUnreachableException(string socketPath, SocketError error, Exception innerException)
        : base(Describe(socketPath, error), innerException)
    {
        PermissionDenied = error == SocketError.AccessDenied;
    }

    /// <summary>The socket exists but its mode or group keeps this user out.</summary>
    public bool PermissionDenied { get; }

    private static string Describe(string socketPath, SocketError error) => error switch
    {
        SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported
            => $"vhpcd is not running: no control socket at {socketPath}",
        SocketError.ConnectionRefused
            => $"vhpcd is not running: nothing listens on {socketPath}",
        SocketError.AccessDenied
            => $"permission denied on {socketPath}: run as root or join the socket's group (usermod -aG vhpc $USER)",
        _ => $"cannot reach vhpcd at {socketPath}: {error}",
    };
}
