using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Vhpc.Engine.Naming;
using Vhpc.Engine.Planning;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Spec;
using Vhpc.Engine.Status;
using Vhpc.Engine.Telemetry;
using Vhpc.Libvirt;

namespace Vhpc.Engine.Reconcile;

/// <summary>
/// The engine the daemon calls: validate, read what libvirt has, plan, execute, then (when wired) wait
/// for every node to be ready and configure the cluster. Operations on one cluster are serialized.
/// A spec that fails validation throws <see cref="ClusterSpecException"/> before any libvirt call.
/// </summary>
public sealed class ClusterEngine(
    IConnectionSource connections,
    HostPlatformDetector detector,
    ClusterReconciler reconciler,
    TimeProvider time,
    ILogger<ClusterEngine> logger,
    INodeReadiness? readiness = null,
    IClusterConfiguration? configuration = null,
    IGuestStatusSource? guestStatus = null) : IClusterEngine
{
    /// <summary>Times the libvirt phase of one apply is planned and run again after losing the connection.</summary>
    private const int ConnectionAttempts = 3;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        var layout = LayoutOf(spec);
        return Task.Run(async () =>
        {
            using var lease = await connections.AcquireAsync(spec.Connect, cancellationToken).ConfigureAwait(false);
            var plan = ClusterPlanner.PlanApply(layout, ClusterStateReader.Read(lease.Connection, layout));
            Log.Planned(logger, layout.Cluster, plan.Actions.Count, plan.Conflicts.Count);
            return plan;
        }, cancellationToken);
    }

    public async Task<ApplyResult> ApplyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var layout = LayoutOf(spec);
        var started = time.GetTimestamp();
        using var scope = Log.ClusterScope(logger, layout.Cluster);
        using var activity = VhpcTelemetry.ActivitySource.StartActivity("vhpc.apply");
        activity?.SetTag("vhpc.cluster", layout.Cluster);
        var gate = _locks.GetOrAdd(layout.Cluster, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await Task.Run(() => ApplyLockedAsync(layout, progress, started, cancellationToken), cancellationToken).ConfigureAwait(false);
            activity?.SetTag("vhpc.outcome", result.Succeeded ? "ok" : "error");
            if (!result.Succeeded)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            VhpcTelemetry.ProvisioningDuration.Record(result.Duration.TotalSeconds,
                new KeyValuePair<string, object?>("step", "apply"), new KeyValuePair<string, object?>("outcome", result.Succeeded ? "ok" : "error"));
            Log.ApplyFinished(logger, layout.Cluster, result.Duration.TotalSeconds, result.Succeeded);
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<DestroyResult> DestroyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var layout = LayoutOf(spec);
        using var scope = Log.ClusterScope(logger, layout.Cluster);
        using var activity = VhpcTelemetry.ActivitySource.StartActivity("vhpc.destroy");
        activity?.SetTag("vhpc.cluster", layout.Cluster);
        var gate = _locks.GetOrAdd(layout.Cluster, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(async () =>
            {
                using var lease = await connections.AcquireAsync(spec.Connect, cancellationToken).ConfigureAwait(false);
                var plan = ClusterPlanner.PlanDestroy(layout, ClusterStateReader.Read(lease.Connection, layout));
                foreach (var conflict in plan.Conflicts)
                {
                    Log.Conflict(logger, layout.Cluster, conflict);
                }

                // The platform only matters for defining domains, which destroy never does.
                var context = new ReconcileContext(lease.Connection, layout, new HostPlatform(DomainType.Qemu, null, null, "destroy"), progress);
                var result = await reconciler.ExecuteAsync(context, plan, ActualState.Empty, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException($"destroy of cluster {layout.Cluster} left objects behind: "
                        + string.Join("; ", result.NodeErrors.Values.Append(result.Error).OfType<string>()));
                }

                Log.Destroyed(logger, layout.Cluster, result.ActionsCompleted);
                return new DestroyResult(layout.Cluster, result.ActionsCompleted);
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// libvirt's view (domain state, lease, ownership), then, when the guests layer is wired, SSH (a TCP
    /// probe and the recorded host key) and the last configuration run per node. Logs into nothing.
    /// </summary>
    public async Task<ClusterStatus> GetStatusAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        var layout = LayoutOf(spec);
        var reading = await Task.Run(async () =>
        {
            using var lease = await connections.AcquireAsync(spec.Connect, cancellationToken).ConfigureAwait(false);
            return ClusterStateReader.ReadStatus(lease.Connection, layout);
        }, cancellationToken).ConfigureAwait(false);
        if (guestStatus is null)
        {
            return reading.Status;
        }

        var guests = await guestStatus.ReadAsync(new GuestStatusRequest(layout, reading.Targets), cancellationToken).ConfigureAwait(false);
        var nodes = reading.Status.Nodes
            .Select(n => guests.TryGetValue(n.Name, out var guest) ? ClusterStateReader.WithGuest(n, guest) : n)
            .ToList();
        return reading.Status with { Nodes = nodes };
    }

    private async Task<ApplyResult> ApplyLockedAsync(ClusterLayout layout, IProgress<ProgressEvent> progress, long started, CancellationToken cancellationToken)
    {
        var cluster = layout.Cluster;
        ConnectionLease? lease = null;
        try
        {
            ReconcileResult? executed = null;
            string? lost = null;
            for (var attempt = 1; executed is null; attempt++)
            {
                progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Started,
                    Message: lost is null ? null : $"resuming on a new libvirt connection (attempt {attempt} of {ConnectionAttempts}): {lost}"));
                lease?.Dispose();
                lease = null;
                try
                {
                    lease = await connections.AcquireAsync(layout.Spec.Connect, cancellationToken).ConfigureAwait(false);
                }
                catch (LibvirtException e)
                {
                    progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message));
                    return Failed(layout, started, lost is null
                        ? $"cannot connect to {layout.Spec.Connect}: {e.Message}"
                        : $"connection to libvirt lost during apply ({lost}) and not regained: {e.Message}; run apply again once libvirtd is back");
                }

                var outcome = await PlanAndExecuteAsync(layout, lease.Connection, progress, started, cancellationToken).ConfigureAwait(false);
                if (outcome.Lost is { } reason)
                {
                    // Every action looks before it creates, so planning again from what libvirt now holds
                    // and running the rest is safe (the crash-consistency tests prove the same for a kill).
                    lost = reason;
                    Log.ConnectionLostDuringApply(logger, cluster, reason, attempt, ConnectionAttempts);
                    if (attempt >= ConnectionAttempts)
                    {
                        return Failed(layout, started, $"connection to libvirt lost during apply {attempt} times (last: {reason}); "
                            + "nothing half-made is left in use; run apply again once libvirtd is stable");
                    }

                    continue;
                }

                if (outcome.Failed is { } failed)
                {
                    return failed;
                }

                executed = outcome.Executed;
            }

            if (executed.Error is not null)
            {
                return Failed(layout, started, executed.Error);
            }

            var nodeErrors = new Dictionary<string, (string Error, string? Tail)>(StringComparer.Ordinal);
            foreach (var (node, error) in executed.NodeErrors)
            {
                nodeErrors[node] = (error, null);
            }

            var ready = await WaitForNodesAsync(layout, lease!.Connection, progress, nodeErrors, cancellationToken).ConfigureAwait(false);
            if (ready is not null)
            {
                await ConfigureAsync(layout, ready, progress, nodeErrors, cancellationToken).ConfigureAwait(false);
            }

            var nodes = layout.Nodes
                .Select(n => nodeErrors.TryGetValue(n.Name, out var e) ? new NodeResult(n.Name, false, e.Error, e.Tail) : new NodeResult(n.Name, true, null, null))
                .ToList();
            var succeeded = nodes.All(n => n.Succeeded);
            return new ApplyResult(cluster, succeeded, time.GetElapsedTime(started), nodes,
                succeeded ? null : $"{nodes.Count(n => !n.Succeeded)} of {nodes.Count} nodes failed");
        }
        finally
        {
            lease?.Dispose();
        }
    }

    /// <summary>Reads, plans and executes on one connection; reports whether that connection was lost on the way.</summary>
    private async Task<LibvirtPhase> PlanAndExecuteAsync(ClusterLayout layout, Connection connection, IProgress<ProgressEvent> progress,
        long started, CancellationToken cancellationToken)
    {
        var cluster = layout.Cluster;
        HostPlatform platform;
        ActualState actual;
        ClusterPlan plan;
        try
        {
            platform = detector.Detect(connection, layout.Spec.Vm.Accelerator);
            actual = ClusterStateReader.Read(connection, layout);
            plan = ClusterPlanner.PlanApply(layout, actual);
        }
        catch (Exception e) when (IsLost(e, connection))
        {
            progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message));
            return new LibvirtPhase(null, null, e.Message);
        }
        catch (Exception e) when (e is LibvirtException or InvalidOperationException)
        {
            progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message));
            return new LibvirtPhase(null, Failed(layout, started, e.Message), null);
        }

        Log.Planned(logger, cluster, plan.Actions.Count, plan.Conflicts.Count);
        if (plan.HasConflicts)
        {
            foreach (var conflict in plan.Conflicts)
            {
                Log.Conflict(logger, cluster, conflict);
            }

            var message = "nothing was changed: " + string.Join("; ", plan.Conflicts);
            progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: message));
            return new LibvirtPhase(null, Failed(layout, started, message), null);
        }

        progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Succeeded,
            time.GetElapsedTime(started), plan.IsEmpty ? "libvirt already matches the spec" : $"{plan.Actions.Count} actions"));

        ReconcileResult executed;
        try
        {
            executed = await reconciler.ExecuteAsync(new ReconcileContext(connection, layout, platform, progress), plan, actual, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (IsLost(e, connection))
        {
            // The connection was closed under a running action (the provider replaced it).
            return new LibvirtPhase(null, null, e.Message);
        }

        var failedWith = executed.Error ?? executed.NodeErrors.Values.FirstOrDefault();
        return failedWith is not null && !IsAlive(connection)
            ? new LibvirtPhase(null, null, failedWith)
            : new LibvirtPhase(executed, null, null);
    }

    private static bool IsLost(Exception e, Connection connection) =>
        e is ObjectDisposedException || (e is LibvirtException libvirt && (libvirt.IsConnectionLost || !IsAlive(connection)));

    private static bool IsAlive(Connection connection)
    {
        try
        {
            return connection.IsAlive;
        }
        catch (Exception e) when (e is ObjectDisposedException or LibvirtException)
        {
            return false;
        }
    }

    /// <summary>The libvirt phase's outcome: executed, failed for a reason other than the connection, or lost the connection.</summary>
    private sealed record LibvirtPhase(ReconcileResult? Executed, ApplyResult? Failed, string? Lost);

    /// <summary>Every node without an error so far, waited for in parallel; null when readiness is not wired.</summary>
    private async Task<List<ReadyNode>?> WaitForNodesAsync(ClusterLayout layout, Connection connection, IProgress<ProgressEvent> progress,
        Dictionary<string, (string Error, string? Tail)> nodeErrors, CancellationToken cancellationToken)
    {
        if (readiness is null)
        {
            Log.StepNotWired(logger, layout.Cluster, "node readiness (lease, SSH)");
            progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, null, ProvisioningStep.Lease, StepState.Skipped,
                Message: "lease and SSH readiness are not wired into this engine"));
            return null;
        }

        var candidates = layout.Nodes.Where(n => !nodeErrors.ContainsKey(n.Name)).ToList();
        var results = await Task.WhenAll(candidates.Select(async node =>
        {
            try
            {
                return (node, await readiness.WaitUntilReadyAsync(
                    new NodeReadinessRequest(layout.Spec, layout, node, connection, progress, token => connections.AcquireAsync(layout.Spec.Connect, token)),
                    cancellationToken)
                    .ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (node, new NodeReadinessResult(false, null, e.Message));
            }
        })).ConfigureAwait(false);

        var ready = new List<ReadyNode>();
        foreach (var (node, result) in results)
        {
            if (result.Ready && result.Address is not null)
            {
                ready.Add(new ReadyNode(node, result.Address));
                VhpcTelemetry.NodeTransitions.Add(1, new KeyValuePair<string, object?>("state", "ssh"));
            }
            else
            {
                nodeErrors[node.Name] = (result.Error ?? "node did not become ready", result.ConsoleTail);
                Log.NodeFailed(logger, layout.Cluster, node.Name, result.Error ?? "not ready");
                VhpcTelemetry.NodeTransitions.Add(1, new KeyValuePair<string, object?>("state", "failed"));
            }
        }

        return ready;
    }

    private async Task ConfigureAsync(ClusterLayout layout, List<ReadyNode> ready, IProgress<ProgressEvent> progress,
        Dictionary<string, (string Error, string? Tail)> nodeErrors, CancellationToken cancellationToken)
    {
        if (configuration is null)
        {
            Log.StepNotWired(logger, layout.Cluster, "configuration (Ansible)");
            progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, null, ProvisioningStep.Configure, StepState.Skipped,
                Message: "configuration is not wired into this engine"));
            return;
        }

        if (ready.Count == 0)
        {
            return;
        }

        using var scope = Log.StepScope(logger, null, ProvisioningStep.Configure);
        IReadOnlyList<NodeConfigurationResult> results;
        try
        {
            results = await configuration.ConfigureAsync(new ClusterConfigurationRequest(layout.Spec, layout, ready, progress), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            results = ready.Select(r => new NodeConfigurationResult(r.Node.Name, false, e.Message)).ToList();
        }

        foreach (var node in ready)
        {
            var result = results.FirstOrDefault(r => r.Node == node.Node.Name);
            if (result is null || !result.Succeeded)
            {
                nodeErrors[node.Node.Name] = (result?.Error ?? "no configuration result for this node", null);
            }
            else
            {
                VhpcTelemetry.NodeTransitions.Add(1, new KeyValuePair<string, object?>("state", "ready"));
            }
        }
    }

    private ApplyResult Failed(ClusterLayout layout, long started, string error) =>
        new(layout.Cluster, false, time.GetElapsedTime(started), [], error);

    /// <summary>Validates on entry (a spec may be built in code) and derives the layout.</summary>
    private static ClusterLayout LayoutOf(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var violations = ClusterSpecValidator.Validate(spec);
        if (violations.Count > 0)
        {
            throw new ClusterSpecException(violations
                .Select(v => new SpecError(spec.SourcePath ?? "<spec>", new SourceMark(1, 1), v.Path, v.Reason))
                .ToList());
        }

        return ClusterLayout.From(spec);
    }
}
