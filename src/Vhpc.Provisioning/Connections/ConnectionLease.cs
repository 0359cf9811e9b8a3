using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Connections;

/// <summary>A connection for one operation; disposing closes it only when the lease owns it.</summary>
internal sealed class ConnectionLease(Connection connection, bool owned) : IDisposable
{
    public Connection Connection { get; } = connection;

    public void Dispose()
    {
        if (owned)
        {
            Connection.Dispose();
        }
    }
}
