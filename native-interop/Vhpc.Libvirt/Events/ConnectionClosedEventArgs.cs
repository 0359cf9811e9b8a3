namespace Vhpc.Libvirt;

public sealed class ConnectionClosedEventArgs(ConnectionCloseReason reason) : EventArgs
{
    public ConnectionCloseReason Reason { get; } = reason;
}
