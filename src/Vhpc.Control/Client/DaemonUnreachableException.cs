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

    /// <param name="socketGroup">The group that owns the socket (named in the hint when access is denied), if known.</param>
    public DaemonUnreachableException(string socketPath, SocketError error, Exception innerException, string? socketGroup = null)
        : base(Describe(socketPath, error, socketGroup), innerException)
    {
        PermissionDenied = error == SocketError.AccessDenied;
    }

    /// <summary>The socket exists but its mode or group keeps this user out.</summary>
    public bool PermissionDenied { get; }

    private static string Describe(string socketPath, SocketError error, string? socketGroup) => error switch
    {
        SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported
            => $"vhpcd is not running: no control socket at {socketPath}",
        SocketError.ConnectionRefused
            => $"vhpcd is not running: nothing listens on {socketPath}",
        SocketError.AccessDenied
            => socketGroup is null
                ? $"permission denied on {socketPath}: run as root or join the group that owns it (see: ls -l {socketPath})"
                : $"permission denied on {socketPath}: run as root or join its group {socketGroup} (usermod -aG {socketGroup} $USER, then log in again)",
        _ => $"cannot reach vhpcd at {socketPath}: {error}",
    };
}
