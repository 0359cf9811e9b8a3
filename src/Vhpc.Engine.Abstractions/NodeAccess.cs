namespace Vhpc.Engine;

/// <summary>What `vhpc ssh` needs to reach a node: its address, the cluster's account, key and known_hosts.</summary>
/// <param name="State">The node's state as status reports it (why there is no address yet).</param>
/// <param name="Address">The node's current address; null while it has none.</param>
public sealed record NodeAccess(
    string Cluster,
    string Node,
    string State,
    string? Address,
    string User,
    string PrivateKeyPath,
    string KnownHostsPath);
