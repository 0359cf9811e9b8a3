using Microsoft.Extensions.Options;
using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Connections;

/// <summary>
/// Uses the process's shared, kept-alive and self-reconnecting connection for specs that name its URI,
/// and a connection of their own for any other URI. A connection lost in the middle of an apply fails
/// that apply's remaining steps; the next apply gets the reconnected connection and converges.
/// </summary>
public sealed class ProviderConnectionSource(ILibvirtConnectionProvider provider, IOptions<LibvirtConnectionOptions> options) : IConnectionSource
{
    private readonly OpenPerOperationConnectionSource _fallback = new();

    public async ValueTask<ConnectionLease> AcquireAsync(string uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!string.Equals(uri, options.Value.Uri, StringComparison.Ordinal))
        {
            return await _fallback.AcquireAsync(uri, cancellationToken).ConfigureAwait(false);
        }

        Connection shared = await provider.GetAsync(cancellationToken).ConfigureAwait(false);
        return new ConnectionLease(shared, owned: false);
    }
}
