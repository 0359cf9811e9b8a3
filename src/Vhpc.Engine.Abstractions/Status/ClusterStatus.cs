namespace Vhpc.Engine.Status;

public sealed record ClusterStatus(string Cluster, bool NetworkActive, IReadOnlyList<NodeStatus> Nodes);

/// <summary>
/// What is known of one node now; null means "not known" (for example no lease yet). libvirt's view
/// comes first; <see cref="Ssh"/> and <see cref="Configuration"/> stay unknown until the guests layer
/// looked. <see cref="SshReady"/> and <see cref="Configured"/> are their yes/no views, kept because
/// `vhpc status --json` has always had them (sshReady, configured).
/// </summary>
public sealed record NodeStatus(
    string Name,
    string Role,
    string State,
    string? Address,
    DateTimeOffset? LeaseExpiry,
    string? Error)
{
    /// <summary>The libvirt host holding the node's domain; null when no readable host has it.</summary>
    public string? Host { get; init; }

    public SshState Ssh { get; init; } = SshState.Unknown;

    /// <summary>
    /// Slurm's view of a worker of an elastic cluster, as sinfo's compact state (<c>idle~</c> powered
    /// down, <c>alloc#</c> powering up, <c>idle%</c> powering down, <c>down</c>); null when not read.
    /// </summary>
    public string? Slurm { get; init; }

    /// <summary>When <see cref="Slurm"/> was read on the management node.</summary>
    public DateTimeOffset? SlurmAt { get; init; }

    public NodeConfigurationStatus Configuration { get; init; } = NodeConfigurationStatus.Unknown;

    /// <summary>True when <see cref="Ssh"/> is ready, false when the node runs but is not, null when unknown.</summary>
    public bool? SshReady => Ssh switch
    {
        SshState.Ready => true,
        SshState.Unknown => null,
        _ => false,
    };

    /// <summary>True when <see cref="Configuration"/> is yes, false for stale, no or failed, null when unknown.</summary>
    public bool? Configured => Configuration.State switch
    {
        ConfigurationState.Yes => true,
        ConfigurationState.Unknown => null,
        _ => false,
    };
}
