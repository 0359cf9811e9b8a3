namespace Vhpc.Engine.Checks;

/// <summary>
/// What `vhpc check` found: one result per check and node, in the order they ran. The cluster passes
/// only when every result passed.
/// </summary>
public sealed record ClusterCheckReport(string Cluster, TimeSpan Duration, IReadOnlyList<CheckResult> Results)
{
    public bool Passed => Results.Count > 0 && Results.All(r => r.Passed);
}

/// <summary>
/// One check of one node (or of the cluster as a whole when <see cref="Node"/> is null).
/// </summary>
/// <param name="Check">The check's stable name (<see cref="CheckNames"/>).</param>
/// <param name="Node">The node the result is about; for a failed cluster-wide check, the node found at fault when one was.</param>
/// <param name="Detail">What was seen, in one line ("idle", "sum 3 on 3 ranks").</param>
/// <param name="Error">Why it failed: where the command ran, the command, its exit status and its own stderr.</param>
public sealed record CheckResult(string Check, string? Node, bool Passed, TimeSpan Duration, string Detail, string? Error = null);

/// <summary>The checks `vhpc check` runs, in order; scripts read these names from --json.</summary>
public static class CheckNames
{
    /// <summary>Every worker is known to slurmctld and idle or allocated (or in a power-saving state).</summary>
    public const string SlurmNode = "slurm-node";

    /// <summary>`srun` from the management node runs a task on the worker.</summary>
    public const string Srun = "srun";

    /// <summary>A munge credential made on the management node is accepted by the worker's munged.</summary>
    public const string Munge = "munge";

    /// <summary>A file written in the cluster user's home on the management node is read back on the worker.</summary>
    public const string Home = "home";

    /// <summary>An MPI allreduce over `srun --mpi=pmix` on every worker gives n(n-1)/2 on every rank.</summary>
    public const string Mpi = "mpi";

    /// <summary>A job array with one task per worker completes, every task's output read back.</summary>
    public const string JobArray = "job-array";

    /// <summary>sacct lists this check's jobs as completed.</summary>
    public const string Accounting = "accounting";
}
