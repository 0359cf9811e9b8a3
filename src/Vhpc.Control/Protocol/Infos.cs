namespace Vhpc.Control.Protocol;

/// <summary>One step of one node (or of the cluster when <see cref="Node"/> is null).</summary>
/// <param name="Host">The libvirt host of a cluster-wide step, for clusters with a hosts list.</param>
public sealed record ProgressInfo(
    DateTimeOffset Time,
    string Cluster,
    string? Node,
    string Step,
    string State,
    double? ElapsedSeconds,
    string? Message,
    string? Host = null);

/// <summary>A cluster file in clusters.d and what vhpcd made of it.</summary>
public sealed record ClusterSummary(
    string? Name,
    string File,
    bool Loaded,
    int Management,
    int Workers,
    string? Connect,
    string? Operation,
    IReadOnlyList<string> Errors);

public sealed record ValidationInfo(string File, bool Valid, IReadOnlyList<string> Errors);

/// <param name="Host">The libvirt host of the object, for clusters with a hosts list.</param>
public sealed record PlannedActionInfo(string Kind, string Target, string Name, string Reason, string? Host = null);

/// <summary>Where a node is or goes; <paramref name="Host"/> null when it is not placed (<paramref name="Reason"/> says why).</summary>
public sealed record PlacementInfo(string Node, string? Host, string Reason);

/// <summary>A libvirt host as the plan read it: what the cluster takes there, or the error and what was not read.</summary>
public sealed record PlanHostInfo(string Name, string Connect, string? Usage, string? Error);

/// <param name="Conflicts">Objects with the cluster's names that are not its own, a node on two hosts, a cluster that does not fit: apply refuses while any is listed.</param>
public sealed record PlanInfo(
    string Cluster,
    IReadOnlyList<PlannedActionInfo> Actions,
    IReadOnlyList<string>? Conflicts = null,
    IReadOnlyList<PlacementInfo>? Placement = null,
    IReadOnlyList<PlanHostInfo>? Hosts = null);

/// <param name="Configuration">What the apply did about the node's configuration: "ran", "up-to-date" (its record held; not logged into) or "not-run".</param>
public sealed record NodeResultInfo(string Name, bool Succeeded, string? Error, string? ConsoleTail, string? Configuration = null);

public sealed record ApplyInfo(string Cluster, bool Succeeded, double DurationSeconds, IReadOnlyList<NodeResultInfo> Nodes, string? Error);

public sealed record DestroyInfo(string Cluster, int ObjectsRemoved);

/// <summary>One node in `vhpc status` (and its --json output).</summary>
/// <param name="SshReady">true when <paramref name="Ssh"/> is "ready", false when the node runs but is not, null when unknown.</param>
/// <param name="Configured">true when <paramref name="Configuration"/> is "yes", false for stale/no/failed, null when unknown.</param>
/// <param name="Ssh">"ready" (port 22 answers, host key recorded), "no-host-key", "not-answering", or "unknown" (domain not running).</param>
/// <param name="Configuration">"yes", "stale" (spec, roles or keys changed since), "no", "failed", or "unknown".</param>
/// <param name="ConfiguredAt">When the last configuration run for this node ended (yes, stale, failed).</param>
/// <param name="ConfigurationSpecHash">The configuration hash of the spec that run used.</param>
/// <param name="ConfigurationError">Why the last run failed for this node.</param>
/// <param name="Host">The libvirt host holding the node's domain; null when no readable host has it.</param>
/// <param name="ConfigurationStaleBecause">For "stale": "spec changed" or "roles or keys changed".</param>
public sealed record NodeStatusInfo(
    string Name,
    string Role,
    string State,
    string? Address,
    DateTimeOffset? LeaseExpiry,
    bool? SshReady,
    bool? Configured,
    string? Error,
    string? Ssh = null,
    string? Configuration = null,
    DateTimeOffset? ConfiguredAt = null,
    string? ConfigurationSpecHash = null,
    string? ConfigurationError = null,
    string? Host = null,
    string? ConfigurationStaleBecause = null,
    string? Slurm = null,
    DateTimeOffset? SlurmAt = null);

public sealed record StatusInfo(string Cluster, bool NetworkActive, IReadOnlyList<NodeStatusInfo> Nodes);

/// <summary>What `vhpc ssh` needs to reach a node: address, account, key, known_hosts and network namespace.</summary>
public sealed record NodeAccessInfo(
    string Cluster,
    string Node,
    string Address,
    string User,
    string PrivateKeyPath,
    string KnownHostsPath,
    string? NetworkNamespace);

public sealed record ConsoleInfo(string Cluster, string Node, string LogPath, IReadOnlyList<string> Lines);

/// <summary>`vhpc check`'s report (and its --json output). <paramref name="Passed"/> is true only when every check passed.</summary>
public sealed record CheckInfo(string Cluster, bool Passed, double DurationSeconds, IReadOnlyList<CheckResultInfo> Checks);

/// <summary>One check of one node, or of the cluster when <paramref name="Node"/> is null.</summary>
/// <param name="Check">slurm-node, munge, srun, home, mpi, job-array or accounting.</param>
/// <param name="Error">Why it failed: the node, the command and the command's own stderr.</param>
public sealed record CheckResultInfo(string Check, string? Node, bool Passed, double DurationSeconds, string Detail, string? Error);
