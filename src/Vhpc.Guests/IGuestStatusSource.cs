using Vhpc.Engine.Status;
using Vhpc.Spec.Layout;

namespace Vhpc.Guests;

/// <summary>
/// What status knows of the guests beyond libvirt: SSH reachability and the last configuration run.
/// Implemented by the guests layer (its state directory holds known_hosts and the configuration
/// records). Must be fast and side-effect free: no login into any guest.
/// </summary>
public interface IGuestStatusSource
{
    Task<IReadOnlyDictionary<string, GuestStatus>> ReadAsync(GuestStatusRequest request, CancellationToken cancellationToken);
}

public sealed record GuestStatusRequest(ClusterLayout Layout, IReadOnlyList<GuestStatusTarget> Nodes);

/// <param name="Running">The node's domain is the cluster's and running now.</param>
/// <param name="DiskHash">The disk hash in the domain's mark (which disk it runs on); null without a domain of the cluster.</param>
public sealed record GuestStatusTarget(ClusterNode Node, bool Running, string? DiskHash);

public sealed record GuestStatus(SshState Ssh, NodeConfigurationStatus Configuration);
