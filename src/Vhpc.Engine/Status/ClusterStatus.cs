namespace Vhpc.Engine.Status;

public sealed record ClusterStatus(string Cluster, bool NetworkActive, IReadOnlyList<NodeStatus> Nodes);

/// <summary>What is known of one node now; null means "not known" (for example no lease yet).</summary>
public sealed record NodeStatus(
    string Name,
    string Role,
    string State,
    string? Address,
    DateTimeOffset? LeaseExpiry,
    bool? SshReady,
    bool? Configured,
    string? Error);

public sealed record ApplyResult(string Cluster, bool Succeeded, TimeSpan Duration, IReadOnlyList<NodeResult> Nodes, string? Error);

public sealed record NodeResult(string Name, bool Succeeded, string? Error, string? ConsoleTail);

public sealed record DestroyResult(string Cluster, int ObjectsRemoved);
