using Vhpc.Engine.Checks;
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

    /// <summary>
    /// `vhpc check`: proves from the outside, over SSH with the cluster key, that the configured cluster
    /// works (Slurm nodes, munge, srun, /home, MPI, a job array, accounting). Each check is bounded in
    /// time and a failure names the node and the command's own error; changes nothing but the check's
    /// own jobs and files in the cluster user's home. Progress: one event per check and node.
    /// </summary>
    Task<ClusterCheckReport> CheckAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken);
}
