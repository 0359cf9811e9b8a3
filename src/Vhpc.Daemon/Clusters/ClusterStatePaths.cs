namespace Vhpc.Daemon.Clusters;

/// <summary>
/// Where a cluster's files live under the state directory (the layout the engine writes:
/// clusters/NAME/ssh/id_ed25519 + known_hosts, clusters/NAME/console/NODE.log).
/// </summary>
public sealed class ClusterStatePaths(string stateDirectory, string cluster)
{
    public string Directory { get; } = Path.Combine(stateDirectory, "clusters", cluster);

    public string PrivateKey => Path.Combine(Directory, "ssh", "id_ed25519");

    public string KnownHosts => Path.Combine(Directory, "ssh", "known_hosts");

    public string ConsoleLog(string node) => Path.Combine(Directory, "console", node + ".log");
}
