namespace Vhpc.Engine.Planning;

/// <summary>The ordered actions that converge a cluster; empty when libvirt already matches the spec.</summary>
public sealed record ClusterPlan(string Cluster, IReadOnlyList<PlannedAction> Actions)
{
    public bool IsEmpty => Actions.Count == 0;
}

/// <summary>One change to one libvirt object, with the reason a person reads in `vhpc plan`.</summary>
public sealed record PlannedAction(ActionKind Kind, ObjectKind Target, string Name, string Reason);

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
}
