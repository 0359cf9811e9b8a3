namespace Vhpc.Provisioning.Connections;

/// <summary>
/// Where provisioning gets its libvirt connection for one operation: <see cref="ConnectionPerOperation"/>
/// opens one each time; <see cref="SharedConnection"/> (vhpcd) lends the process's one kept-alive,
/// self-reconnecting connection. The lease says whether disposing it closes the connection.
/// </summary>
internal interface IConnectionSource
{
    ValueTask<ConnectionLease> AcquireAsync(string uri, CancellationToken cancellationToken);
}
