namespace Vhpc.Daemon.Clusters;

/// <summary>
/// Where a cluster's SSH material lives under the state directory: clusters/NAME/ssh/id_ed25519 and
/// known_hosts (the per-cluster key pair and the host keys recorded when the nodes came up).
/// </summary>
public sealed class ClusterStatePaths(string stateDirectory, string cluster)
{
    public string Directory { get; } = Path.Combine(stateDirectory, "clusters", cluster);

    public string PrivateKey => Path.Combine(Directory, "ssh", "id_ed25519");

    public string KnownHosts => Path.Combine(Directory, "ssh", "known_hosts");
}
