using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Connections;

/// <summary>
/// Where the engine gets its libvirt connection for one operation. The default opens one per operation;
/// the daemon can supply a shared, kept-alive connection instead (the lease then does not close it).
/// </summary>
public interface IConnectionSource
{
    ValueTask<ConnectionLease> AcquireAsync(string uri, CancellationToken cancellationToken);
}

/// <summary>A connection for one operation; disposing closes it only when the lease owns it.</summary>
public sealed class ConnectionLease(Connection connection, bool owned) : IDisposable
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

/// <summary>Opens a fresh connection per operation, with keepalive where the driver supports it.</summary>
public sealed class OpenPerOperationConnectionSource : IConnectionSource
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
