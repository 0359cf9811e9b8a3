using System.Collections.Concurrent;
using Vhpc.Engine;
using Vhpc.Engine.Checks;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Guests.Leases;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Daemon.Tests.Doubles;

/// <summary>
/// Test double of IClusterEngine for daemon tests (the engine is not their subject). It keeps a set of
/// "libvirt objects" per cluster, reports per-node steps, and can be held at a step so tests can race
/// operations or stop the daemon mid-apply. It stops only between steps (its safe points).
/// </summary>
internal sealed class FakeClusterEngine : IClusterEngine
{
    private static readonly ProvisioningStep[] NodeSteps =
        [ProvisioningStep.Define, ProvisioningStep.Boot, ProvisioningStep.Lease, ProvisioningStep.Ssh, ProvisioningStep.Configure];

    private readonly ConcurrentDictionary<string, int> _active = new();
    private int _maxConcurrentPerCluster;

    /// <summary>Completes the status probe at start-up (READY=1 waits for it) when set.</summary>
    public TaskCompletionSource? StatusGate { get; set; }

    /// <summary>When set, every step waits for it (so an apply can be caught mid-flight).</summary>
    public SemaphoreSlim? StepGate { get; set; }

    public TaskCompletionSource StepReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentDictionary<string, HashSet<string>> Objects { get; } = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    public int MaxConcurrentPerCluster => Volatile.Read(ref _maxConcurrentPerCluster);

    public int StepsCompleted;

    public Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        Calls.Enqueue("plan " + spec.Name);
        var existing = Objects.GetValueOrDefault(spec.Name) ?? [];
        var actions = NodeNames(spec).Where(n => !existing.Contains(n))
            .Select(n => new PlannedAction(ActionKind.Create, ObjectKind.Domain, n, "missing")).ToList();
        return Task.FromResult(new ClusterPlan(spec.Name, actions));
    }

    public Task<ApplyResult> ApplyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken) =>
        ApplyAsync(spec, ApplyOptions.Default, progress, cancellationToken);

    public async Task<ApplyResult> ApplyAsync(ClusterSpec spec, ApplyOptions options, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        Calls.Enqueue(options.Reconfigure ? "apply --reconfigure " + spec.Name : "apply " + spec.Name);
        Enter(spec.Name);
        try
        {
            foreach (var node in NodeNames(spec))
            {
                foreach (var step in NodeSteps)
                {
                    // Safe point: between steps.
                    cancellationToken.ThrowIfCancellationRequested();
                    progress.Report(new ProgressEvent(DateTimeOffset.UtcNow, spec.Name, node, step, StepState.Started));
                    StepReached.TrySetResult();
                    if (StepGate is { } gate)
                    {
                        // A step in flight finishes even when a stop is requested.
                        await gate.WaitAsync(CancellationToken.None);
                    }

                    await Task.Yield();
                    Objects.AddOrUpdate(spec.Name, _ => [node], (_, set) => { lock (set) { set.Add(node); } return set; });
                    Interlocked.Increment(ref StepsCompleted);
                    progress.Report(new ProgressEvent(DateTimeOffset.UtcNow, spec.Name, node, step, StepState.Succeeded, TimeSpan.FromMilliseconds(5)));
                }
            }

            return new ApplyResult(spec.Name, true, TimeSpan.FromMilliseconds(50),
                [.. NodeNames(spec).Select(n => new NodeResult(n, true, null, null))], null);
        }
        finally
        {
            Leave(spec.Name);
        }
    }

    public async Task<DestroyResult> DestroyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        Calls.Enqueue("destroy " + spec.Name);
        Enter(spec.Name);
        try
        {
            await Task.Yield();
            progress.Report(new ProgressEvent(DateTimeOffset.UtcNow, spec.Name, null, ProvisioningStep.Destroy, StepState.Started));
            var removed = Objects.TryRemove(spec.Name, out var set) ? set.Count : 0;
            progress.Report(new ProgressEvent(DateTimeOffset.UtcNow, spec.Name, null, ProvisioningStep.Destroy, StepState.Succeeded));
            return new DestroyResult(spec.Name, removed);
        }
        finally
        {
            Leave(spec.Name);
        }
    }

    public async Task<ClusterStatus> GetStatusAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        Calls.Enqueue("status " + spec.Name);
        if (StatusGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        var existing = Objects.GetValueOrDefault(spec.Name) ?? [];
        var nodes = NodeNames(spec).Select((n, i) => existing.Contains(n)
            ? new NodeStatus(n, i == 0 ? "management" : "worker", "running", $"10.206.1.{10 + i}", DateTimeOffset.UtcNow.AddMinutes(55), null)
                { Ssh = SshState.Ready, Configuration = new NodeConfigurationStatus(ConfigurationState.Yes) }
            : new NodeStatus(n, i == 0 ? "management" : "worker", "absent", null, null, null)).ToList();
        return new ClusterStatus(spec.Name, existing.Count > 0, nodes);
    }

    public async Task<NodeAccess?> GetNodeAccessAsync(ClusterSpec spec, string node, CancellationToken cancellationToken)
    {
        var status = await GetStatusAsync(spec, cancellationToken);
        var found = status.Nodes.FirstOrDefault(n => n.Name == node || n.Name + "." + spec.Domain == node);
        return found is null
            ? null
            : new NodeAccess(spec.Name, found.Name, found.State, found.Address, spec.User.Name, $"/fake/{spec.Name}/id_ecdsa", $"/fake/{spec.Name}/known_hosts");
    }

    /// <summary>The real console reader on the node's log where the real layout puts it (the daemon's path is the subject).</summary>
    public Task<NodeConsole?> ReadConsoleAsync(ClusterSpec spec, string node, int? lines, CancellationToken cancellationToken)
    {
        Calls.Enqueue("console " + spec.Name);
        var found = ClusterLayout.From(spec).Nodes.FirstOrDefault(n => n.Name == node || n.Fqdn == node);
        if (found is null)
        {
            return Task.FromResult<NodeConsole?>(null);
        }

        var tail = File.Exists(found.ConsoleLogPath) ? ConsoleLogTail.ReadLines(found.ConsoleLogPath, lines ?? ConsoleLogTail.DefaultLines) : null;
        return Task.FromResult<NodeConsole?>(new NodeConsole(spec.Name, found.Name, found.ConsoleLogPath, tail));
    }

    /// <summary>What <see cref="CheckAsync"/> reports for a cluster; default: every worker passes srun.</summary>
    public Func<ClusterSpec, IReadOnlyList<CheckResult>>? CheckResults { get; set; }

    /// <summary>Reports each scripted result as a progress event, then the report (the daemon's and the CLI's handling is the subject).</summary>
    public Task<ClusterCheckReport> CheckAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        Calls.Enqueue("check " + spec.Name);
        var results = CheckResults?.Invoke(spec)
            ?? [.. ClusterLayout.From(spec).Workers.Select(w => new CheckResult(CheckNames.Srun, w.Name, true, TimeSpan.FromSeconds(1.5), $"task ran on {w.Name}"))];
        foreach (var result in results)
        {
            progress.Report(new ProgressEvent(DateTimeOffset.UtcNow, spec.Name, result.Node, ProvisioningStep.Check,
                result.Passed ? StepState.Succeeded : StepState.Failed, result.Duration, $"{result.Check}: {result.Error ?? result.Detail}"));
        }

        return Task.FromResult(new ClusterCheckReport(spec.Name, TimeSpan.FromSeconds(results.Sum(r => r.Duration.TotalSeconds)), results));
    }

    /// <summary>The engine's own naming, so node names match what the real engine reports.</summary>
    public static IEnumerable<string> NodeNames(ClusterSpec spec) => ClusterLayout.From(spec).Nodes.Select(n => n.Name);

    private void Enter(string cluster)
    {
        var now = _active.AddOrUpdate(cluster, 1, (_, c) => c + 1);
        int seen;
        do
        {
            seen = Volatile.Read(ref _maxConcurrentPerCluster);
        }
        while (now > seen && Interlocked.CompareExchange(ref _maxConcurrentPerCluster, now, seen) != seen);
    }

    private void Leave(string cluster) => _active.AddOrUpdate(cluster, 0, (_, c) => c - 1);
}
