using Vhpc.Control.Protocol;
using Vhpc.Daemon.Clusters;
using Vhpc.Engine;
using Vhpc.Engine.Checks;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;

namespace Vhpc.Daemon.Control;

/// <summary>Engine records to wire records; the wire stays stable when the engine's types grow.</summary>
internal static class ControlMapping
{
    public static ProgressInfo ToInfo(this ProgressEvent e) => new(
        e.Time, e.Cluster, e.Node, Lower(e.Step.ToString()), Lower(e.State.ToString()), e.Elapsed?.TotalSeconds, e.Message, e.Host);

    public static ClusterSummary ToSummary(this ClusterEntry entry, string? operation) => new(
        entry.Name,
        entry.File,
        entry.Spec is not null,
        entry.Spec?.Management.Count ?? 0,
        entry.Spec?.Workers.Count ?? 0,
        entry.Spec is { } spec ? spec.LibvirtUris : null,
        operation,
        entry.Errors);

    public static PlanInfo ToInfo(this ClusterPlan plan) => new(
        plan.Cluster,
        [.. plan.Actions.Select(a => new PlannedActionInfo(Lower(a.Kind.ToString()), Lower(a.Target.ToString()), a.Name, a.Reason, a.Host))],
        plan.Conflicts,
        [.. plan.Placement.Select(p => new PlacementInfo(p.Node, p.Host, p.Reason))],
        [.. plan.Hosts.Select(h => new PlanHostInfo(h.Name, h.Connect, h.Usage, h.Error))]);

    public static ApplyInfo ToInfo(this ApplyResult result) => new(
        result.Cluster,
        result.Succeeded,
        result.Duration.TotalSeconds,
        [.. result.Nodes.Select(n => new NodeResultInfo(n.Name, n.Succeeded, n.Error, n.ConsoleTail, n.Configuration switch
        {
            NodeConfigurationRun.Ran => "ran",
            NodeConfigurationRun.UpToDate => "up-to-date",
            _ => "not-run",
        }))],
        result.Error);

    public static DestroyInfo ToInfo(this DestroyResult result) => new(result.Cluster, result.ObjectsRemoved);

    public static StatusInfo ToInfo(this ClusterStatus status) => new(
        status.Cluster,
        status.NetworkActive,
        [.. status.Nodes.Select(n => new NodeStatusInfo(n.Name, n.Role, n.State, n.Address, n.LeaseExpiry, n.SshReady, n.Configured, n.Error,
            SshText(n.Ssh), Lower(n.Configuration.State.ToString()), n.Configuration.At, n.Configuration.SpecHash, n.Configuration.Error, n.Host,
            n.Configuration.StaleBecause, n.Slurm, n.SlurmAt))]);

    public static CheckInfo ToInfo(this ClusterCheckReport report) => new(
        report.Cluster,
        report.Passed,
        report.Duration.TotalSeconds,
        [.. report.Results.Select(r => new CheckResultInfo(r.Check, r.Node, r.Passed, r.Duration.TotalSeconds, r.Detail, r.Error))]);

    /// <summary>The wire names of the SSH states (stable: scripts read them from `vhpc status --json`).</summary>
    public static string SshText(SshState state) => state switch
    {
        SshState.Ready => "ready",
        SshState.NoHostKey => "no-host-key",
        SshState.NotAnswering => "not-answering",
        _ => "unknown",
    };

    private static string Lower(string value) => value.ToLowerInvariant();
}
