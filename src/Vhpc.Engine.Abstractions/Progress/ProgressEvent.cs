namespace Vhpc.Engine.Progress;

/// <summary>One step of one node (or of the cluster when <see cref="Node"/> is null) changing state.</summary>
public sealed record ProgressEvent(
    DateTimeOffset Time,
    string Cluster,
    string? Node,
    ProvisioningStep Step,
    StepState State,
    TimeSpan? Elapsed = null,
    string? Message = null)
{
    /// <summary>The libvirt host of a cluster-wide step (pool, base image, network on that host); set for clusters with a hosts list.</summary>
    public string? Host { get; init; }
}

public enum ProvisioningStep
{
    Plan,
    Pool,
    BaseImage,
    Network,
    Volume,
    Seed,
    Define,
    Boot,
    Lease,
    Ssh,
    Configure,
    Destroy,

    /// <summary>One check of `vhpc check` (the message names it).</summary>
    Check,

    /// <summary>Scale-in: the leaving workers drained in Slurm before their domains go.</summary>
    Drain,
}

public enum StepState
{
    Started,
    Succeeded,
    Failed,
    Skipped,
}
