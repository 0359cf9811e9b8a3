using Vhpc.Spec.Layout;

namespace Vhpc.Guests.Leases;

/// <summary>
/// Reads a node's serial console log where the hypervisor keeps it (a volume of the cluster's pool,
/// written by virtlogd). The provisioning layer, the only one that talks to libvirt, provides it; the
/// bytes come through a libvirt stream, so the log can be on a remote host and root's.
/// </summary>
public interface IConsoleLogSource
{
    /// <summary>The log's length in bytes as the hypervisor sees it now; null when there is no such log.</summary>
    Task<long?> GetLengthAsync(ConsoleLogVolume log, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> bytes from <paramref name="offset"/>.</summary>
    Task<byte[]> ReadAsync(ConsoleLogVolume log, long offset, int count, CancellationToken cancellationToken);
}
