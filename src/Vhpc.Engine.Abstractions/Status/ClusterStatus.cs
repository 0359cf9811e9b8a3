namespace Vhpc.Engine.Status;

public sealed record ClusterStatus(string Cluster, bool NetworkActive, IReadOnlyList<NodeStatus> Nodes);

/// <summary>What is known of one node now; null means "not known" (for example no lease yet).</summary>
/// <param name="SshReady">True when <see cref="Ssh"/> is ready, false when the node is running but not ready, null when unknown.</param>
/// <param name="Configured">True when <see cref="Configuration"/> is yes, false for stale, no or failed, null when unknown.</param>
public sealed record NodeStatus(
    string Name,
    string Role,
    string State,
    string? Address,
    DateTimeOffset? LeaseExpiry,
    bool? SshReady,
    bool? Configured,
    string? Error)
{
    /// <summary>Defaults to what <see cref="SshReady"/> says, for engines that only know yes/no.</summary>
    public SshState Ssh { get; init; } = SshReady switch
    {
        true => SshState.Ready,
        false => SshState.NotAnswering,
        null => SshState.Unknown,
    };

    /// <summary>Defaults to what <see cref="Configured"/> says (without a time), for engines that only know yes/no.</summary>
    public NodeConfigurationStatus Configuration { get; init; } = Configured switch
    {
        true => new NodeConfigurationStatus(ConfigurationState.Yes),
        false => new NodeConfigurationStatus(ConfigurationState.No),
        null => NodeConfigurationStatus.Unknown,
    };
}
