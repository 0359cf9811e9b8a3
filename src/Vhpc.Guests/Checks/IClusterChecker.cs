using Vhpc.Engine.Checks;
using Vhpc.Engine.Progress;
using Vhpc.Spec.Layout;

namespace Vhpc.Guests.Checks;

/// <summary>Runs `vhpc check`'s checks on a configured cluster over SSH (the engine's check step).</summary>
public interface IClusterChecker
{
    Task<ClusterCheckReport> CheckAsync(ClusterCheckRequest request, IProgress<ProgressEvent> progress, CancellationToken cancellationToken);
}

/// <summary>The cluster and how to log into its nodes: the cluster user with the cluster key, host keys from its known_hosts.</summary>
public sealed record ClusterCheckRequest(ClusterLayout Layout, string User, string PrivateKeyPath, string KnownHostsPath);
