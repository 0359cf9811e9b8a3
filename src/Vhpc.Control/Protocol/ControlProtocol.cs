namespace Vhpc.Control.Protocol;

/// <summary>Wire constants shared by vhpcd and its clients.</summary>
public static class ControlProtocol
{
    public const string DefaultSocketPath = "/run/vhpc/vhpcd.sock";

    /// <summary>The environment variable both `vhpc` and vhpcd read for the socket path.</summary>
    public const string SocketEnvironmentVariable = "VHPC_SOCKET";

    /// <summary>A request line longer than this is refused (a request carries names, not files).</summary>
    public const int MaxRequestBytes = 64 * 1024;
}
