using Vhpc.Ansible;

namespace Vhpc.Engine;

/// <summary>
/// Holds ready workers until the management node is ready, then lets them through while the
/// management node is being configured: a worker's run needs the management node up, not configured
/// (its /home mount retries until the export exists, slurmd restarts until slurmctld answers, and the
/// run's last task waits until slurmctld counts the worker in). The workers that were waiting go in one
/// configuration run (one ansible-playbook process instead of one per worker on a small host), each
/// later worker in a run of its own at once, so no worker waits for a slower one. When the management
/// node fails (never ready, or its configuration failed), every worker not yet configured fails with
/// that reason: waiting and later ones are never logged into, and running ones are stopped (their run
/// is cancelled) instead of waiting out their own timeouts.
/// </summary>
internal sealed class WorkerConfigurationGate : IDisposable
{
    private readonly Func<IReadOnlyList<ReadyNode>, CancellationToken, Task<IReadOnlyList<NodeConfigurationResult>>> _configure;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenSource _managementFailed;
    private readonly Lock _lock = new();
    private readonly List<(ReadyNode Node, TaskCompletionSource<WorkerConfiguration> Done)> _waiting = [];
    private bool _open;
    private string? _failure;

    /// <param name="configure">One configuration run of the given workers; cancelled when the management node fails.</param>
    /// <param name="cancellationToken">The apply's own cancellation: a run it cancels ends cancelled, not failed.</param>
    public WorkerConfigurationGate(Func<IReadOnlyList<ReadyNode>, CancellationToken, Task<IReadOnlyList<NodeConfigurationResult>>> configure,
        CancellationToken cancellationToken)
    {
        _configure = configure;
        _cancellationToken = cancellationToken;
        _managementFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Configures <paramref name="worker"/> once the gate opens (at once when it is open); the worker's outcome.</summary>
    public Task<WorkerConfiguration> ConfigureAsync(ReadyNode worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        lock (_lock)
        {
            if (_failure is not null)
            {
                return Task.FromResult(ManagementFailed(worker, ran: false));
            }

            if (!_open)
            {
                var done = new TaskCompletionSource<WorkerConfiguration>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((worker, done));
                return done.Task;
            }
        }

        return RunAsync([worker]).ContinueWith(t => t.Result[0], TaskScheduler.Default);
    }

    /// <summary>
    /// The management node is up (ready, or already configured): the waiting workers go in one run,
    /// started now; each worker's <see cref="ConfigureAsync"/> task carries its outcome. Opening again does nothing.
    /// </summary>
    public void Open()
    {
        List<(ReadyNode Node, TaskCompletionSource<WorkerConfiguration> Done)> waiting;
        lock (_lock)
        {
            if (_open || _failure is not null)
            {
                return;
            }

            _open = true;
            waiting = [.. _waiting];
            _waiting.Clear();
        }

        if (waiting.Count > 0)
        {
            // Never faults (RunAsync turns failures into results, CompleteAsync cancellation into
            // cancelled outcomes): the waiting workers' own tasks observe it.
            _ = CompleteAsync(waiting);
        }
    }

    /// <summary>The management node failed: every waiting and later worker fails with <paramref name="reason"/>, running runs are cancelled.</summary>
    public void Fail(string reason)
    {
        List<(ReadyNode Node, TaskCompletionSource<WorkerConfiguration> Done)> waiting;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = reason;
            waiting = [.. _waiting];
            _waiting.Clear();
        }

        foreach (var (node, done) in waiting)
        {
            done.TrySetResult(ManagementFailed(node, ran: false));
        }

        _managementFailed.Cancel();
    }

    public void Dispose() => _managementFailed.Dispose();

    private WorkerConfiguration ManagementFailed(ReadyNode worker, bool ran) =>
        new(new NodeConfigurationResult(worker.Node.Name, false, _failure), ran ? NodeConfigurationRun.Ran : NodeConfigurationRun.NotRun, ManagementFailed: true);

    private async Task CompleteAsync(List<(ReadyNode Node, TaskCompletionSource<WorkerConfiguration> Done)> waiting)
    {
        IReadOnlyList<WorkerConfiguration> outcomes;
        try
        {
            outcomes = await RunAsync(waiting.Select(w => w.Node).ToList()).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            foreach (var (_, done) in waiting)
            {
                done.TrySetCanceled(e.CancellationToken);
            }

            return;
        }

        for (var i = 0; i < waiting.Count; i++)
        {
            waiting[i].Done.TrySetResult(outcomes[i]);
        }
    }

    /// <summary>One run; its outcomes in the order of <paramref name="nodes"/>, a missing or thrown one as a failure.</summary>
    private async Task<IReadOnlyList<WorkerConfiguration>> RunAsync(IReadOnlyList<ReadyNode> nodes)
    {
        IReadOnlyList<NodeConfigurationResult> results;
        try
        {
            results = await _configure(nodes, _managementFailed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_cancellationToken.IsCancellationRequested && _managementFailed.IsCancellationRequested)
        {
            return nodes.Select(n => ManagementFailed(n, ran: true)).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            results = nodes.Select(n => new NodeConfigurationResult(n.Node.Name, false, e.Message)).ToList();
        }

        return nodes.Select(n => new WorkerConfiguration(
                results.FirstOrDefault(r => r.Node == n.Node.Name) ?? new NodeConfigurationResult(n.Node.Name, false, "no configuration result for this node"),
                NodeConfigurationRun.Ran, ManagementFailed: false))
            .ToList();
    }
}

/// <summary>A worker's configuration through the gate: its result, whether a run logged into it, and whether the management node's failure decided it.</summary>
internal sealed record WorkerConfiguration(NodeConfigurationResult Result, NodeConfigurationRun Run, bool ManagementFailed);
