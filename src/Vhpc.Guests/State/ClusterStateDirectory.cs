namespace Vhpc.Guests.State;

/// <summary>
/// Where one cluster's guest-access state lives: StateRoot/&lt;cluster&gt;/ holding the key pair
/// (<see cref="ClusterKeyPair"/>), known_hosts, and per node the disk its recorded host key belongs to
/// and the outcome of its last configuration run.
/// Destroying the cluster removes the directory.
/// </summary>
public sealed class ClusterStateDirectory
{
    /// <summary>The cluster's SSH private key (see Keys/ClusterKeyPair).</summary>
    public const string PrivateKeyFileName = "id_ecdsa";

    public const string PublicKeyFileName = "id_ecdsa.pub";

    public ClusterStateDirectory(string stateRoot, string cluster)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateRoot);
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        // Cluster names are validated RFC 1123 labels; refuse anything else rather than escape the root.
        if (cluster.Contains('/', StringComparison.Ordinal) || cluster is "." or "..")
        {
            throw new ArgumentException($"'{cluster}' is not a cluster name.", nameof(cluster));
        }

        Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(stateRoot), cluster);
    }

    public string Path { get; }

    public string KnownHostsPath => System.IO.Path.Combine(Path, "known_hosts");

    public string PrivateKeyPath => System.IO.Path.Combine(Path, PrivateKeyFileName);

    /// <summary>Records which disk (its hash) a node's host key entry was recorded for.</summary>
    public string HostKeyDiskMarkerPath(string node) => System.IO.Path.Combine(HostKeyDiskMarkerDirectory, node + ".disk");

    public string HostKeyDiskMarkerDirectory => System.IO.Path.Combine(Path, "hostkeys");

    /// <summary>The outcome of the last configuration run for a node (<see cref="NodeConfigurationRecord"/>).</summary>
    public string ConfigurationRecordPath(string node) => System.IO.Path.Combine(ConfigurationRecordDirectory, node + ".json");

    public string ConfigurationRecordDirectory => System.IO.Path.Combine(Path, "configuration");

    public void Delete()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
