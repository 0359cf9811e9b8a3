using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vhpc.Engine;
using Vhpc.Engine.Checks;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Engine.Telemetry;
using Vhpc.Spec;

namespace Vhpc.Daemon.Operations;

/// <summary>
/// Runs engine operations for the control API. Changes to one cluster (apply, destroy) are serialized
/// by a per-cluster lock, so two applies never race and an apply racing a destroy runs one after the
/// other. Operations belong to the daemon, not to the client that asked: a client that disconnects does
/// not cancel an apply. Stopping vhpcd cancels the token the engine sees, which stops at a safe point,
/// and waits for that; it never destroys anything.
/// </summary>
internal sealed class ClusterOperations : IHostedService, IDisposable
{
    private readonly IClusterEngine _engine;
    private readonly ProgressHub _hub;
    private readonly ILogger<ClusterOperations> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, ClusterLock> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public ClusterOperations(IClusterEngine engine, ProgressHub hub, ILogger<ClusterOperations> logger, TimeProvider time)
    {
        _engine = engine;
        _hub = hub;
        _logger = logger;
        _time = time;
    }

    /// <summary>The operation holding the cluster's lock, or null.</summary>
    public string? CurrentOperation(string cluster) =>
        _locks.TryGetValue(cluster, out var l) ? l.Holder?.ToString().ToLowerInvariant() : null;

    public Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken) =>
        Track(RunReadOnlyAsync(spec, "plan", ct => _engine.PlanAsync(spec, ct), cancellationToken));

    public Task<ClusterStatus> StatusAsync(ClusterSpec spec, CancellationToken cancellationToken) =>
        Track(RunReadOnlyAsync(spec, "status", ct => _engine.GetStatusAsync(spec, ct), cancellationToken));

    public Task<NodeAccess?> NodeAccessAsync(ClusterSpec spec, string node, CancellationToken cancellationToken) =>
        Track(RunReadOnlyAsync(spec, "node access", ct => _engine.GetNodeAccessAsync(spec, node, ct), cancellationToken));

    public Task<NodeConsole?> ConsoleAsync(ClusterSpec spec, string node, int? lines, CancellationToken cancellationToken) =>
        Track(RunReadOnlyAsync(spec, "console", ct => _engine.ReadConsoleAsync(spec, node, lines, ct), cancellationToken));

    /// <summary>
    /// `vhpc check`, read-only for vhpcd (no cluster lock), refused while an apply or destroy holds the
    /// cluster: its nodes are being changed, and a check would report that, not the cluster. Progress
    /// goes to the asking client only (not to `vhpc watch`, which follows changes).
    /// </summary>
    public Task<ClusterCheckReport> CheckAsync(ClusterSpec spec, IProgress<ProgressEvent> observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (CurrentOperation(spec.Name) is { } holder)
        {
            return Task.FromException<ClusterCheckReport>(new InvalidOperationException($"cluster {spec.Name} is being changed ({holder} running); check it once that finished"));
        }

        return Track(RunReadOnlyAsync(spec, "check", ct => _engine.CheckAsync(spec, observer, ct), cancellationToken));
    }

    public Task<ApplyResult> ApplyAsync(ClusterSpec spec, IProgress<ProgressEvent>? observer) => ApplyAsync(spec, ApplyOptions.Default, observer);

    public Task<ApplyResult> ApplyAsync(ClusterSpec spec, ApplyOptions options, IProgress<ProgressEvent>? observer) =>
        Track(RunExclusiveAsync(spec, OperationKind.Apply, observer, (progress, ct) => _engine.ApplyAsync(spec, options, progress, ct)));

    public Task<DestroyResult> DestroyAsync(ClusterSpec spec, IProgress<ProgressEvent>? observer) =>
        Track(RunExclusiveAsync(spec, OperationKind.Destroy, observer, (progress, ct) => _engine.DestroyAsync(spec, progress, ct)));

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var running = _running.Keys.ToArray();
        if (running.Length == 0)
        {
            return;
        }

        Log.Draining(_logger, running.Length);
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Each operation already logged its own outcome.
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        foreach (var l in _locks.Values)
        {
            l.Semaphore.Dispose();
        }
    }

    private Task<T> Track<T>(Task<T> task)
    {
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private async Task<T> RunReadOnlyAsync<T>(ClusterSpec spec, string operation, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        ThrowIfStopping();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        using var activity = VhpcTelemetry.ActivitySource.StartActivity($"vhpcd {operation}");
        activity?.SetTag("vhpc.cluster", spec.Name);
        try
        {
            return await run(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new ShuttingDownException();
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    private async Task<T> RunExclusiveAsync<T>(
        ClusterSpec spec,
        OperationKind kind,
        IProgress<ProgressEvent>? observer,
        Func<IProgress<ProgressEvent>, CancellationToken, Task<T>> run)
    {
        ThrowIfStopping();
        var name = kind.ToString().ToLowerInvariant();
        var clusterLock = _locks.GetOrAdd(spec.Name, _ => new ClusterLock());
        if (clusterLock.Holder is { } holder)
        {
            Log.OperationQueued(_logger, spec.Name, name, holder.ToString().ToLowerInvariant());
        }

        try
        {
            await clusterLock.Semaphore.WaitAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new ShuttingDownException();
        }

        clusterLock.Holder = kind;
        var started = _time.GetTimestamp();
        using var activity = VhpcTelemetry.ActivitySource.StartActivity($"vhpcd {name}");
        activity?.SetTag("vhpc.cluster", spec.Name);
        activity?.SetTag("vhpc.operation", name);
        try
        {
            Log.OperationStarted(_logger, spec.Name, name);
            var result = await run(new ProgressFanOut(this, observer), _stopping.Token).ConfigureAwait(false);
            var seconds = _time.GetElapsedTime(started).TotalSeconds;
            LogOutcome(spec.Name, name, seconds, result);
            activity?.SetStatus(Succeeded(result) ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            return result;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            Log.OperationInterrupted(_logger, spec.Name, name);
            activity?.SetStatus(ActivityStatusCode.Error, "interrupted");
            throw new ShuttingDownException($"vhpcd is stopping: {name} of cluster {spec.Name} stopped at a safe point; run it again after the restart");
        }
        catch (Exception ex)
        {
            Log.OperationFailed(_logger, spec.Name, name, _time.GetElapsedTime(started).TotalSeconds, ex.Message, ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            clusterLock.Holder = null;
            clusterLock.Semaphore.Release();
        }
    }

    private static bool Succeeded<T>(T result) => result is not ApplyResult { Succeeded: false };

    private void LogOutcome<T>(string cluster, string name, double seconds, T result)
    {
        if (result is ApplyResult { Succeeded: false } failed)
        {
            foreach (var node in failed.Nodes.Where(n => !n.Succeeded))
            {
                Log.NodeFailed(_logger, cluster, node.Name, node.Error ?? "failed");
            }

            Log.OperationFailed(_logger, cluster, name, seconds, failed.Error ?? "one or more nodes failed", null);
        }
        else
        {
            Log.OperationSucceeded(_logger, cluster, name, seconds);
        }
    }

    private void ThrowIfStopping()
    {
        if (_stopping.IsCancellationRequested)
        {
            throw new ShuttingDownException();
        }
    }

    private void OnProgress(ProgressEvent progress, IProgress<ProgressEvent>? observer)
    {
        var node = progress.Node ?? "-";
        var step = progress.Step.ToString().ToLowerInvariant();
        if (progress.State == StepState.Failed)
        {
            Log.StepFailed(_logger, progress.Cluster, node, step, progress.Message ?? "failed");
        }
        else
        {
            var detail = (progress.Elapsed, progress.Message) switch
            {
                ({ } e, { } m) => $" in {e.TotalSeconds:F1} s: {m}",
                ({ } e, null) => $" in {e.TotalSeconds:F1} s",
                (null, { } m) => $": {m}",
                _ => "",
            };
            Log.Progress(_logger, progress.Cluster, node, step, progress.State.ToString().ToLowerInvariant(), detail);
        }

        _hub.Publish(progress);
        observer?.Report(progress);
    }

    /// <summary>Synchronous fan-out: events reach the log and the clients in the order the engine reports them.</summary>
    private sealed class ProgressFanOut(ClusterOperations owner, IProgress<ProgressEvent>? observer) : IProgress<ProgressEvent>
    {
        public void Report(ProgressEvent value) => owner.OnProgress(value, observer);
    }

    private sealed class ClusterLock
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public OperationKind? Holder { get; set; }
    }
}
