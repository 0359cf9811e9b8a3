using Vhpc.Spec;

namespace Vhpc.Engine.Power;

/// <summary>
/// What the daemon's power service asks of the engine for an elastic cluster's on-demand workers:
/// power one on (its domain made or started, ready, and configured alone when its configuration is
/// not current) or off (clean shutdown, forced at the timeout, disk kept), and Slurm's view of the
/// nodes, read and corrected on the management node. Implemented next to <see cref="IClusterEngine"/>
/// by the same engine; a sibling interface so that engines without power handling need not grow.
/// </summary>
public interface IClusterPowerEngine
{
    /// <exception cref="ArgumentException"><paramref name="node"/> is not an on-demand worker of the spec.</exception>
    Task<NodePowerResult> PowerOnAsync(ClusterSpec spec, string node, CancellationToken cancellationToken);

    /// <exception cref="ArgumentException"><paramref name="node"/> is not an on-demand worker of the spec.</exception>
    Task<NodePowerResult> PowerOffAsync(ClusterSpec spec, string node, CancellationToken cancellationToken);

    /// <summary>
    /// Each worker's state as <c>sinfo -N -o '%N %t'</c> prints it on the management node (<c>idle~</c>
    /// powered off, <c>idle#</c> powering up, <c>alloc</c>, <c>down~</c>...); null when the management
    /// node cannot be asked (not running, SSH fails, sinfo fails).
    /// </summary>
    Task<IReadOnlyDictionary<string, string>?> ReadSlurmStatesAsync(ClusterSpec spec, CancellationToken cancellationToken);

    /// <summary>Tells slurmctld about a worker (scontrol update on the management node); returns why it failed, or null.</summary>
    Task<string?> UpdateSlurmNodeAsync(ClusterSpec spec, string node, SlurmNodeUpdate update, string reason, CancellationToken cancellationToken);
}

/// <summary>What vhpcd tells slurmctld about a worker.</summary>
public enum SlurmNodeUpdate
{
    /// <summary><c>state=down</c>: its resume failed; Slurm requeues the job and later powers it down (idle_on_node_suspend).</summary>
    Down,

    /// <summary><c>state=power_down_force</c>: Slurm counts it up but its domain is off; Slurm brings its view in line.</summary>
    PowerDownForce,
}

/// <param name="PoweredChanged">False when nothing had to change (already running and configured, or already off).</param>
/// <param name="Configured">A node-alone configuration run was needed and succeeded.</param>
public sealed record NodePowerResult(string Cluster, string Node, bool Succeeded, bool PoweredChanged, bool Configured, TimeSpan Duration, string? Error);
