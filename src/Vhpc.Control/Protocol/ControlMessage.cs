namespace Vhpc.Control.Protocol;

public enum ControlMessageKind
{
    /// <summary>A progress event; zero or more precede the result.</summary>
    Progress,

    /// <summary>The final line of a successful request.</summary>
    Result,

    /// <summary>The final line of a failed request.</summary>
    Error,
}

/// <summary>
/// One response line. A connection carries zero or more <see cref="ControlMessageKind.Progress"/> lines,
/// then exactly one <see cref="ControlMessageKind.Result"/> or <see cref="ControlMessageKind.Error"/> line
/// (a <see cref="ControlCommand.Watch"/> stream has no final line).
/// </summary>
public sealed record ControlMessage
{
    public required ControlMessageKind Kind { get; init; }

    public ProgressInfo? Progress { get; init; }

    public ControlError? Error { get; init; }

    public IReadOnlyList<ClusterSummary>? Clusters { get; init; }

    public ValidationInfo? Validation { get; init; }

    public PlanInfo? Plan { get; init; }

    public ApplyInfo? Apply { get; init; }

    public DestroyInfo? Destroy { get; init; }

    public StatusInfo? Status { get; init; }

    public NodeAccessInfo? NodeAccess { get; init; }

    public ConsoleInfo? Console { get; init; }

    public CheckInfo? Check { get; init; }
}
