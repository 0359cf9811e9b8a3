using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Connections;

/// <summary>The one libvirt connection of the process, reopened when libvirtd goes away.</summary>
public interface ILibvirtConnectionProvider
{
    /// <summary>A live connection: the current one, or a new one opened with backoff if it died.</summary>
    ValueTask<Connection> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs a (blocking) libvirt operation on the current connection; if it fails because the
    /// connection was lost, reconnects with backoff and runs it again. Other errors pass through.
    /// The operation must therefore be safe to repeat (e.g. look up before define).
    /// </summary>
    ValueTask<T> ExecuteAsync<T>(Func<Connection, T> operation, CancellationToken cancellationToken);
}
