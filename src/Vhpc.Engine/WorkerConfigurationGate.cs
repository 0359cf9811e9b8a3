using Vhpc.Ansible;

namespace Vhpc.Engine;

/// <summary>
/// Holds ready workers until the management node's configuration is known, then lets them through:
/// the workers that were waiting go in one configuration run (one ansible-playbook process instead of
/// one per worker on a small host), each later worker in a run of its own at once, so no worker waits
/// for a slower one. When the management node failed, every worker fails with that reason and is
/// never logged into.
/// </summary>
internal sealed class WorkerConfigurationGate(Func<IReadOnlyList<ReadyNode>, Task<IReadOnlyList<NodeConfigurationResult>>> configure)
{
    private readonly Lock _lock = new();
    private readonly List<(ReadyNode Node, TaskCompletionSource<NodeConfigurationResult> Done)> _waiting = [];
    private bool _open;
    private string? _failure;

    /// <summary>Configures <paramref name="worker"/> once the gate opens (at once when it is open); the worker's result.</summary>
    public Task<NodeConfigurationResult> ConfigureAsync(ReadyNode worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        lock (_lock)
        {
            if (_failure is not null)
            {
                return Task.FromResult(new NodeConfigurationResult(worker.Node.Name, false, _failure));
            }

            if (!_open)
            {
                var done = new TaskCompletionSource<NodeConfigurationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((worker, done));
                return done.Task;
            }
        }

        return RunAsync([worker]).ContinueWith(t => t.Result[0], TaskScheduler.Default);
    }

    /// <summary>The management node is configured: the waiting workers go in one run.</summary>
    public Task OpenAsync()
    {
        List<(ReadyNode Node, TaskCompletionSource<NodeConfigurationResult> Done)> waiting;
        lock (_lock)
        {
            _open = true;
            waiting = [.. _waiting];
            _waiting.Clear();
        }

        return waiting.Count == 0 ? Task.CompletedTask : CompleteAsync(waiting);
    }

    /// <summary>The management node failed: every waiting and later worker fails with <paramref name="reason"/>.</summary>
    public void Fail(string reason)
    {
        List<(ReadyNode Node, TaskCompletionSource<NodeConfigurationResult> Done)> waiting;
        lock (_lock)
        {
            _failure = reason;
            waiting = [.. _waiting];
            _waiting.Clear();
        }

        foreach (var (node, done) in waiting)
        {
            done.TrySetResult(new NodeConfigurationResult(node.Node.Name, false, reason));
        }
    }

    private async Task CompleteAsync(List<(ReadyNode Node, TaskCompletionSource<NodeConfigurationResult> Done)> waiting)
    {
        IReadOnlyList<NodeConfigurationResult> results;
        try
        {
            results = await RunAsync(waiting.Select(w => w.Node).ToList()).ConfigureAwait(false);
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
            waiting[i].Done.TrySetResult(results[i]);
        }
    }

    /// <summary>One run; its results in the order of <paramref name="nodes"/>, a missing or thrown one as a failure.</summary>
    private async Task<IReadOnlyList<NodeConfigurationResult>> RunAsync(IReadOnlyList<ReadyNode> nodes)
    {
        IReadOnlyList<NodeConfigurationResult> results;
        try
        {
            results = await configure(nodes).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            results = nodes.Select(n => new NodeConfigurationResult(n.Node.Name, false, e.Message)).ToList();
        }

        return nodes.Select(n => results.FirstOrDefault(r => r.Node == n.Node.Name)
                ?? new NodeConfigurationResult(n.Node.Name, false, "no configuration result for this node"))
            .ToList();
    }
}
