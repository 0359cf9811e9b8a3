namespace Vhpc.Engine.Plans;

/// <summary>
/// The ordered actions that converge a cluster; empty when libvirt already matches the spec.
/// <see cref="Conflicts"/> lists objects that carry one of the cluster's names but are not marked as
/// its own: they are never touched, and apply refuses to run while any exist.
/// </summary>
public sealed record ClusterPlan(string Cluster, IReadOnlyList<PlannedAction> Actions)
{
    public IReadOnlyList<string> Conflicts { get; init; } = [];

    /// <summary>Which host each node of the spec is on or goes to, and why (empty for a plan that places nothing, like destroy's).</summary>
    public IReadOnlyList<PlannedPlacement> Placement { get; init; } = [];

    /// <summary>The libvirt hosts the plan read: what the cluster takes there, or why a host could not be read and what was not read.</summary>
    public IReadOnlyList<PlannedHost> Hosts { get; init; } = [];

    public bool IsEmpty => Actions.Count == 0;

    public bool HasConflicts => Conflicts.Count > 0;

    /// <summary>True when a host could not be read: the plan may miss changes there.</summary>
    public bool HasUnreadHosts => Hosts.Any(h => h.Error is not null);
}

/// <summary>Where one node is (or goes): <see cref="Host"/> null when it is not placed; <see cref="Reason"/> says why.</summary>
public sealed record PlannedPlacement(string Node, string? Host, string Reason);

/// <summary>One libvirt host as the plan saw it: <see cref="Usage"/> when read, else <see cref="Error"/> naming what was not read.</summary>
public sealed record PlannedHost(string Name, string Connect, string? Usage, string? Error);

/// <summary>One change to one libvirt object, with the reason a person reads in `vhpc plan`.</summary>
public sealed record PlannedAction(ActionKind Kind, ObjectKind Target, string Name, string Reason)
{
    /// <summary>The node this action belongs to (null for cluster-wide objects).</summary>
    public string? Node { get; init; }

    /// <summary>The libvirt host the object is on; set for clusters with a hosts list, null for the single-host form.</summary>
    public string? Host { get; init; }

    /// <summary>
    /// When it runs: all <see cref="PlanStage.Prepare"/> actions in order, then every node's
    /// <see cref="PlanStage.Nodes"/> actions (nodes in parallel, each node's in order), then
    /// <see cref="PlanStage.Cleanup"/> in order.
    /// </summary>
    public PlanStage Stage { get; init; }

    public override string ToString() =>
        $"{Kind.ToString().ToLowerInvariant()} {TargetName(Target)} {Name}: {Reason}";

    private static string TargetName(ObjectKind kind) => kind switch
    {
        ObjectKind.DhcpHost => "dhcp-host",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

public enum PlanStage
{
    Prepare,
    Nodes,
    Cleanup,
}

public enum ActionKind
{
    Create,
    Replace,
    Update,
    Start,
    Delete,
}

public enum ObjectKind
{
    Pool,
    Volume,
    Network,
    Domain,
    File,

    /// <summary>A fixed DHCP host entry (MAC -> IP -> hostname) of the cluster's network.</summary>
    DhcpHost,
}
