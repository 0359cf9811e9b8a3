using Microsoft.Extensions.Logging;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Guests.Leases;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Connections;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning;

/// <summary>
/// The libvirt side of every operation, for a layout the engine has validated: read what libvirt has,
/// plan, and execute the plan; read status; destroy. An apply that loses its connection plans again
/// from what libvirt now holds and goes on, up to <see cref="ConnectionAttempts"/> times (every action
/// looks before it creates, so that is safe). The engine composes this with guest readiness and
/// configuration.
/// </summary>
public sealed class ClusterProvisioner
{
    private readonly IConnectionSource _connections;
    private readonly HostPlatformDetector _detector;
    private readonly ClusterReconciler _reconciler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Internal: its parts are provisioning's own; hosts get it from AddVhpcProvisioning.</summary>
    internal ClusterProvisioner(
        IConnectionSource connections,
        HostPlatformDetector detector,
        ClusterReconciler reconciler,
        TimeProvider time,
        ILogger<ClusterProvisioner> logger)
    {
        _connections = connections;
        _detector = detector;
        _reconciler = reconciler;
        _time = time;
        _logger = logger;
    }

    /// <summary>Times the libvirt phase of one apply is planned and run again after losing the connection.</summary>
    public const int ConnectionAttempts = 3;

    /// <summary>The ordered actions that would bring libvirt to the layout; changes nothing.</summary>
    public Task<ClusterPlan> PlanAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return Task.Run(async () =>
        {
            using var lease = await _connections.AcquireAsync(layout.Spec.Connect, cancellationToken).ConfigureAwait(false);
            var plan = ClusterPlanner.PlanApply(layout, ClusterStateReader.Read(lease.Connection, layout));
            Log.Planned(_logger, layout.Cluster, plan.Actions.Count, plan.Conflicts.Count);
            return plan;
        }, cancellationToken);
    }

    /// <summary>
    /// Brings libvirt to the layout: plan and execute, again on a new connection when the connection is
    /// lost on the way. Reports the Plan step and every action's step. On success the result holds the
    /// connection open as a view for the nodes' lease waits; dispose the result when they are done.
    /// </summary>
    /// <param name="started">When the apply started (<see cref="TimeProvider.GetTimestamp"/>), for the Plan step's elapsed time.</param>
    /// <param name="powerOn">
    /// A resume: the on-demand workers to start. Only the shared objects (pool, base image, network)
    /// and these nodes are touched; other nodes and the cleanup wait for the next apply.
    /// </param>
    public async Task<ProvisioningResult> ProvisionAsync(ClusterLayout layout, IProgress<ProgressEvent> progress, long started,
        CancellationToken cancellationToken, IReadOnlySet<string>? powerOn = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(progress);
        var cluster = layout.Cluster;
        ConnectionLease? lease = null;
        try
        {
            ReconcileResult? executed = null;
            string? lost = null;
            for (var attempt = 1; executed is null; attempt++)
            {
                progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Started,
                    Message: lost is null ? null : $"resuming on a new libvirt connection (attempt {attempt} of {ConnectionAttempts}): {lost}"));
                lease?.Dispose();
                lease = null;
                try
                {
                    lease = await _connections.AcquireAsync(layout.Spec.Connect, cancellationToken).ConfigureAwait(false);
                }
                catch (LibvirtException e)
                {
                    progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message));
                    return ProvisioningResult.Failed(lost is null
                        ? $"cannot connect to {layout.Spec.Connect}: {e.Message}"
                        : $"connection to libvirt lost during apply ({lost}) and not regained: {e.Message}; run apply again once libvirtd is back");
                }

                var outcome = await PlanAndExecuteAsync(layout, lease.Connection, progress, started, powerOn, cancellationToken).ConfigureAwait(false);
                if (outcome.Lost is { } reason)
                {
                    // Every action looks before it creates, so planning again from what libvirt now holds
                    // and running the rest is safe (the crash-consistency tests prove the same for a kill).
                    lost = reason;
                    Log.ConnectionLostDuringApply(_logger, cluster, reason, attempt, ConnectionAttempts);
                    if (attempt >= ConnectionAttempts)
                    {
                        return ProvisioningResult.Failed($"connection to libvirt lost during apply {attempt} times (last: {reason}); "
                            + "nothing half-made is left in use; run apply again once libvirtd is stable");
                    }

                    continue;
                }

                if (outcome.Failed is { } failed)
                {
                    return ProvisioningResult.Failed(failed);
                }

                executed = outcome.Executed;
            }

            if (executed.Error is not null)
            {
                return ProvisioningResult.Failed(executed.Error);
            }

            var view = new LibvirtHypervisorView(lease!.Connection, lease);
            lease = null;
            return new ProvisioningResult(null, executed.NodeErrors, view, ReconnectAsync(layout));
        }
        finally
        {
            lease?.Dispose();
        }
    }

    /// <summary>Removes every object of the cluster, and nothing else; returns how many were removed.</summary>
    /// <exception cref="InvalidOperationException">Objects of the cluster are left behind.</exception>
    public Task<int> DestroyAsync(ClusterLayout layout, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(progress);
        return Task.Run(async () =>
        {
            using var lease = await _connections.AcquireAsync(layout.Spec.Connect, cancellationToken).ConfigureAwait(false);
            var plan = ClusterPlanner.PlanDestroy(layout, ClusterStateReader.Read(lease.Connection, layout));
            foreach (var conflict in plan.Conflicts)
            {
                Log.Conflict(_logger, layout.Cluster, conflict);
            }

            // The platform only matters for defining domains, which destroy never does.
            var context = new ReconcileContext(lease.Connection, layout, new HostPlatform(DomainType.Qemu, null, null, "destroy"), progress);
            var result = await _reconciler.ExecuteAsync(context, plan, ActualState.Empty, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"destroy of cluster {layout.Cluster} left objects behind: "
                    + string.Join("; ", result.NodeErrors.Values.Append(result.Error).OfType<string>()));
            }

            Log.Destroyed(_logger, layout.Cluster, result.ActionsCompleted);
            return result.ActionsCompleted;
        }, cancellationToken);
    }

    /// <summary>
    /// Powers one of the cluster's domains off and keeps its disk: a clean shutdown (ACPI), and after
    /// <paramref name="shutdownTimeout"/> a forced power-off. Returns false when the domain was not
    /// running (or is not the cluster's).
    /// </summary>
    public Task<bool> PowerOffAsync(ClusterLayout layout, string node, TimeSpan shutdownTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(node);
        return Task.Run(async () =>
        {
            using var lease = await _connections.AcquireAsync(layout.Spec.Connect, cancellationToken).ConfigureAwait(false);
            using var domain = lease.Connection.LookupDomain(node);
            if (domain is null || !IsOwned(layout, node, domain) || !domain.IsActive)
            {
                return false;
            }

            try
            {
                domain.Shutdown();
            }
            catch (LibvirtException e) when (!e.IsConnectionLost)
            {
                // A guest that ignores ACPI, or a domain that stopped meanwhile: forced below.
                Log.ShutdownRefused(_logger, layout.Cluster, node, e.Message);
            }

            var deadline = _time.GetTimestamp();
            while (domain.IsActive && _time.GetElapsedTime(deadline) < shutdownTimeout)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            }

            if (domain.IsActive)
            {
                Log.ShutdownForced(_logger, layout.Cluster, node, shutdownTimeout.TotalSeconds);
                domain.Destroy();
            }

            return true;
        }, cancellationToken);
    }

    private static bool IsOwned(ClusterLayout layout, string node, Domain domain) =>
        NodeMark.FromDomainXml(domain.GetXml()) is { } mark
        && mark.Cluster == layout.Cluster && mark.Node == node;

    /// <summary>Per-node status as libvirt reports it, and the nodes the guests layer is asked about.</summary>
    public Task<StatusReading> ReadStatusAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return Task.Run(async () =>
        {
            using var lease = await _connections.AcquireAsync(layout.Spec.Connect, cancellationToken).ConfigureAwait(false);
            return ClusterStateReader.ReadStatus(lease.Connection, layout);
        }, cancellationToken);
    }

    /// <summary>A view over a new connection, for lease waits whose connection was lost.</summary>
    private Func<CancellationToken, ValueTask<IHypervisorView>> ReconnectAsync(ClusterLayout layout) => async token =>
    {
        try
        {
            var lease = await _connections.AcquireAsync(layout.Spec.Connect, token).ConfigureAwait(false);
            return new LibvirtHypervisorView(lease.Connection, lease);
        }
        catch (Exception e) when (LibvirtHypervisorView.IsConnectionLost(e))
        {
            throw new HypervisorConnectionLostException(e.Message, e);
        }
    };

    /// <summary>Reads, plans and executes on one connection; reports whether that connection was lost on the way.</summary>
    private async Task<LibvirtPhase> PlanAndExecuteAsync(ClusterLayout layout, Connection connection, IProgress<ProgressEvent> progress,
        long started, IReadOnlySet<string>? powerOn, CancellationToken cancellationToken)
    {
        var cluster = layout.Cluster;
        HostPlatform platform;
        ActualState actual;
        ClusterPlan plan;
        try
        {
            platform = _detector.Detect(connection, layout.Spec.Vm.Accelerator);
            actual = ClusterStateReader.Read(connection, layout);
            plan = ClusterPlanner.PlanApply(layout, actual, powerOn);
            if (powerOn is not null)
            {
                plan = plan with
                {
                    Actions = plan.Actions.Where(a => a.Stage == PlanStage.Prepare || (a.Stage == PlanStage.Nodes && powerOn.Contains(a.Node!))).ToList(),
                };
            }
        }
        catch (Exception e) when (IsLost(e, connection))
        {
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message));
            return new LibvirtPhase(null, null, e.Message);
        }
        catch (Exception e) when (e is LibvirtException or InvalidOperationException)
        {
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message));
            return new LibvirtPhase(null, e.Message, null);
        }

        Log.Planned(_logger, cluster, plan.Actions.Count, plan.Conflicts.Count);
        if (plan.HasConflicts)
        {
            foreach (var conflict in plan.Conflicts)
            {
                Log.Conflict(_logger, cluster, conflict);
            }

            var message = "nothing was changed: " + string.Join("; ", plan.Conflicts);
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: message));
            return new LibvirtPhase(null, message, null);
        }

        progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Succeeded,
            _time.GetElapsedTime(started), plan.IsEmpty ? "libvirt already matches the spec" : $"{plan.Actions.Count} actions"));

        ReconcileResult executed;
        try
        {
            executed = await _reconciler.ExecuteAsync(new ReconcileContext(connection, layout, platform, progress), plan, actual, cancellationToken)
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
    private sealed record LibvirtPhase(ReconcileResult? Executed, string? Failed, string? Lost);
}

/// <summary>
/// How the libvirt phase of an apply ended: <see cref="Error"/> when it stopped (nothing more to do),
/// else the nodes that failed and a view of the hypervisor for the others' lease waits. Disposing it
/// releases that view's connection.
/// </summary>
public sealed class ProvisioningResult(
    string? error,
    IReadOnlyDictionary<string, string> nodeErrors,
    IHypervisorView? hypervisor,
    Func<CancellationToken, ValueTask<IHypervisorView>>? reconnect) : IDisposable
{
    /// <summary>Why the apply stopped before any node could be waited for; null when it did not.</summary>
    public string? Error { get; } = error;

    /// <summary>Nodes whose libvirt actions failed, with the reason.</summary>
    public IReadOnlyDictionary<string, string> NodeErrors { get; } = nodeErrors;

    /// <summary>The apply's connection as the guests layer sees it (null after an error).</summary>
    public IHypervisorView? Hypervisor { get; } = hypervisor;

    /// <summary>A view over a new connection when <see cref="Hypervisor"/>'s is lost.</summary>
    public Func<CancellationToken, ValueTask<IHypervisorView>>? Reconnect { get; } = reconnect;

    public static ProvisioningResult Failed(string error) => new(error, new Dictionary<string, string>(), null, null);

    public void Dispose() => Hypervisor?.Dispose();
}
