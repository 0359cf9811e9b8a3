using System.Net;
using Vhpc.Engine.Naming;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Spec;

namespace Vhpc.Engine.Reconcile;

/// <summary>
/// Configures the ready nodes (munge, Slurm) once they accept SSH. Implemented by the configuration
/// layer (Vhpc.Engine.Configuration, Ansible); called once per apply with every ready node.
/// </summary>
public interface IClusterConfiguration
{
    Task<IReadOnlyList<NodeConfigurationResult>> ConfigureAsync(ClusterConfigurationRequest request, CancellationToken cancellationToken);
}

public sealed record ReadyNode(ClusterNode Node, IPAddress Address);

/// <param name="Progress">Report the Configure step (per node or for the cluster) here.</param>
public sealed record ClusterConfigurationRequest(
    ClusterSpec Spec,
    ClusterLayout Layout,
    IReadOnlyList<ReadyNode> Nodes,
    IProgress<ProgressEvent> Progress);

public sealed record NodeConfigurationResult(string Node, bool Succeeded, string? Error = null);
