using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Connections;

/// <summary>Opens a fresh connection per operation, with keepalive where the driver supports it.</summary>
internal sealed class ConnectionPerOperation : IConnectionSource
{
    public ValueTask<ConnectionLease> AcquireAsync(string uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var connection = Connection.Open(uri);
        if (!uri.StartsWith("test:", StringComparison.Ordinal))
        {
            // Bounds blocking calls on a dead daemon (a Polly timeout could not interrupt them).
            connection.SetKeepAlive(5, 3);
        }

        return ValueTask.FromResult(new ConnectionLease(connection, owned: true));
    }
}
