using System.Net;
using Vhpc.Engine.Progress;
using Vhpc.Guests.Leases;
using Vhpc.Spec;
using Vhpc.Spec.Layout;

namespace Vhpc.Guests;

/// <summary>
/// Waits until a booted node is usable (DHCP lease, then SSH with cloud-init done). Implemented by
/// this assembly (GuestNodeReadiness); the engine calls it for every node after boot, in parallel.
/// </summary>
public interface INodeReadiness
{
    Task<NodeReadinessResult> WaitUntilReadyAsync(NodeReadinessRequest request, CancellationToken cancellationToken);
}

/// <param name="Hypervisor">The apply's view of the hypervisor (lease lookups and lifecycle events go through it).</param>
/// <param name="Progress">Report Lease and Ssh steps of this node here.</param>
/// <param name="Reconnect">
/// A view over a new connection for when <paramref name="Hypervisor"/> lost its own (libvirtd restarted):
/// lease polling and lifecycle subscriptions move to it. The caller disposes the view it gets. Null: no reconnect.
/// </param>
public sealed record NodeReadinessRequest(
    ClusterSpec Spec,
    ClusterLayout Layout,
    ClusterNode Node,
    IHypervisorView Hypervisor,
    IProgress<ProgressEvent> Progress,
    Func<CancellationToken, ValueTask<IHypervisorView>>? Reconnect = null);

/// <param name="ConsoleTail">The end of the serial console log when the node failed, for the operator.</param>
public sealed record NodeReadinessResult(bool Ready, IPAddress? Address, string? Error = null, string? ConsoleTail = null);
