using System.Net;
using Vhpc.Engine.Progress;
using Vhpc.Spec;
using Vhpc.Spec.Layout;

namespace Vhpc.Ansible;

/// <summary>
/// Configures nodes (munge, Slurm) once they accept SSH. Implemented by the configuration layer
/// (AnsibleClusterConfiguration). The engine calls it per node or per small batch, as nodes become
/// ready: the management node first, workers once the management node's configuration succeeded;
/// calls for one cluster may run side by side.
/// </summary>
public interface IClusterConfiguration
{
    /// <summary>Configures <see cref="ClusterConfigurationRequest.Nodes"/>; the rest of the layout is only described to them.</summary>
    Task<IReadOnlyList<NodeConfigurationResult>> ConfigureAsync(ClusterConfigurationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The nodes whose recorded configuration still holds: the last run succeeded for the same spec,
    /// roles and keys on the same disk. Reads only vhpcd's own state; logs into nothing.
    /// </summary>
    IReadOnlySet<string> NodesUpToDate(ClusterLayout layout);

    /// <summary>Records that <paramref name="node"/> was not configured and why (for status), e.g. its management node failed.</summary>
    void RecordNotConfigured(ClusterLayout layout, ClusterNode node, string reason);

    /// <summary>
    /// Before workers are removed: drains them in Slurm on the management node (no new jobs, running
    /// ones finish) and marks them down. Null when done, else why not.
    /// </summary>
    Task<string?> DrainAsync(ClusterLayout layout, IReadOnlyList<string> workers, IProgress<ProgressEvent> progress, CancellationToken cancellationToken);
}

public sealed record ReadyNode(ClusterNode Node, IPAddress Address);

/// <param name="Nodes">The nodes to configure now, ready, with their addresses.</param>
/// <param name="Progress">Report the Configure step (per node or for the cluster) here.</param>
public sealed record ClusterConfigurationRequest(
    ClusterSpec Spec,
    ClusterLayout Layout,
    IReadOnlyList<ReadyNode> Nodes,
    IProgress<ProgressEvent> Progress);

public sealed record NodeConfigurationResult(string Node, bool Succeeded, string? Error = null);
