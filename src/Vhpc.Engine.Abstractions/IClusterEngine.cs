using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Spec;

namespace Vhpc.Engine;

/// <summary>
/// What the daemon asks of the engine. Every method works from the spec and from what libvirt
/// reports (state lives in libvirt, not in a second database), so any call after a crash converges.
/// </summary>
public interface IClusterEngine
{
    /// <summary>The ordered actions that would bring libvirt to the spec; changes nothing.</summary>
    Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken);

    /// <summary>Converges the cluster to the spec: libvirt objects, boot, leases, SSH, configuration.</summary>
    Task<ApplyResult> ApplyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken) =>
        ApplyAsync(spec, ApplyOptions.Default, progress, cancellationToken);

    /// <summary>
    /// Converges the cluster to the spec. Each node is configured as soon as it is ready (a worker once
    /// the management node's configuration succeeded); a node whose recorded configuration still holds
    /// and whose domain this apply did not touch is not logged into, unless <see cref="ApplyOptions.Reconfigure"/>.
    /// </summary>
    Task<ApplyResult> ApplyAsync(ClusterSpec spec, ApplyOptions options, IProgress<ProgressEvent> progress, CancellationToken cancellationToken);

    /// <summary>Removes every object marked as this cluster's, and nothing else.</summary>
    Task<DestroyResult> DestroyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken);

    /// <summary>Per-node truth as libvirt and the guests report it now.</summary>
    Task<ClusterStatus> GetStatusAsync(ClusterSpec spec, CancellationToken cancellationToken);

    /// <summary>How to reach a node over SSH (`vhpc ssh`); null when the cluster has no node of that name or FQDN.</summary>
    Task<NodeAccess?> GetNodeAccessAsync(ClusterSpec spec, string node, CancellationToken cancellationToken);

    /// <summary>
    /// The last lines of a node's serial console log (`vhpc console`); null when the cluster has no node
    /// of that name or FQDN. <paramref name="lines"/> null: the configured number.
    /// </summary>
    Task<NodeConsole?> ReadConsoleAsync(ClusterSpec spec, string node, int? lines, CancellationToken cancellationToken);
}
