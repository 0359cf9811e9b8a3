namespace Vhpc.Engine.Plans;

/// <summary>
/// The ordered actions that converge a cluster; empty when libvirt already matches the spec.
/// <see cref="Conflicts"/> lists objects that carry one of the cluster's names but are not marked as
/// its own: they are never touched, and apply refuses to run while any exist.
/// </summary>
public sealed record ClusterPlan(string Cluster, IReadOnlyList<PlannedAction> Actions)
{
    public IReadOnlyList<string> Conflicts { get; init; } = [];

    public bool IsEmpty => Actions.Count == 0;

    public bool HasConflicts => Conflicts.Count > 0;
}

/// <summary>One change to one libvirt object, with the reason a person reads in `vhpc plan`.</summary>
public sealed record PlannedAction(ActionKind Kind, ObjectKind Target, string Name, string Reason)
{
    /// <summary>The node this action belongs to (null for cluster-wide objects).</summary>
    public string? Node { get; init; }

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
