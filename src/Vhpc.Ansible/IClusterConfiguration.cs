using System.Net;
using Vhpc.Engine.Progress;
using Vhpc.Spec;
using Vhpc.Spec.Layout;

namespace Vhpc.Ansible;

/// <summary>
/// Configures the ready nodes (munge, Slurm) once they accept SSH. Implemented by the configuration
/// layer (AnsibleClusterConfiguration); called once per apply with every ready node.
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
