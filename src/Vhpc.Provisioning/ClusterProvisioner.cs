using Microsoft.Extensions.Logging;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Guests.Leases;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Connections;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning;

/// <summary>
/// The libvirt side of every operation, for a layout the engine has validated: read what each libvirt
/// host has, place the nodes, plan, and execute the plan host by host; read status; destroy. A cluster
/// has one host (the single-host form) or several (<c>hosts:</c>); every host holds its own pool, base
/// image, network and the volumes and domains of its nodes, and is planned and executed by the same
/// machinery, in parallel. An apply that loses a host's connection plans that host again from what its
/// libvirt now holds and goes on, up to <see cref="ConnectionAttempts"/> times (every action looks before
/// it creates, so that is safe). A host that cannot be reached fails only its nodes; nothing is planned
/// for objects that could not be read. The engine composes this with guest readiness and configuration.
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

    /// <summary>Times the libvirt phase of one host is planned and run again after losing the connection.</summary>
    public const int ConnectionAttempts = 3;

    /// <summary>The ordered actions that would bring every host to the layout, with the placement; changes nothing.</summary>
    public async Task<ClusterPlan> PlanAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        // One host: libvirt's error is the answer, as it always was; several: a host that cannot be read is part of the plan.
        var surveys = layout.Hosts.Count == 1
            ? await Task.Run(async () =>
            {
                using var lease = await _connections.AcquireAsync(layout.Hosts[0].Connect, cancellationToken).ConfigureAwait(false);
                return new[] { new HostSurvey(layout.Hosts[0], ClusterStateReader.Read(lease.Connection, layout), null) };
            }, cancellationToken).ConfigureAwait(false)
            : await SurveyAsync(layout, cancellationToken).ConfigureAwait(false);
        var plan = HostsPlanner.PlanApply(layout, surveys).Plan;
        Log.Planned(_logger, layout.Cluster, plan.Actions.Count, plan.Conflicts.Count);
        return plan;
    }

    /// <summary>
    /// Brings libvirt to the layout: read every host, place, plan; then each host's plan executes (hosts
    /// in parallel), again on a new connection when its connection is lost on the way. Reports the Plan
    /// step and every action's step. On success the result holds each host's connection open as a view
    /// for its nodes' lease waits; dispose the result when they are done.
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
        progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Started));
        var (surveys, leases) = await SurveyKeepingConnectionsAsync(layout, cancellationToken).ConfigureAwait(false);
        try
        {
            return await ProvisionSurveyedAsync(layout, surveys, leases, progress, started, powerOn, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Each host's run took its connection over (and set it to null) or never got one.
            foreach (var lease in leases)
            {
                lease?.Dispose();
            }
        }
    }

    private async Task<ProvisioningResult> ProvisionSurveyedAsync(ClusterLayout layout, HostSurvey[] surveys, ConnectionLease?[] leases,
        IProgress<ProgressEvent> progress, long started, IReadOnlySet<string>? powerOn, CancellationToken cancellationToken)
    {
        var cluster = layout.Cluster;
        if (layout.Hosts.Count == 1 && surveys[0].Error is { } unread)
        {
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: unread));
            return ProvisioningResult.Failed(surveys[0].Unreachable ? $"cannot connect to {layout.Hosts[0].Connect}: {unread}" : unread);
        }

        var planned = HostsPlanner.PlanApply(layout, surveys, powerOn);
        var plan = planned.Plan;
        Log.Planned(_logger, cluster, plan.Actions.Count, plan.Conflicts.Count);
        foreach (var host in planned.Hosts.Where(h => h.Error is not null))
        {
            Log.HostUnreadable(_logger, cluster, host.Host.Name, host.Host.Connect, host.Error!);
        }

        if (plan.HasConflicts || planned.Hosts.All(h => h.Plan is null))
        {
            foreach (var conflict in plan.Conflicts)
            {
                Log.Conflict(_logger, cluster, conflict);
            }

            var message = plan.HasConflicts
                ? "nothing was changed: " + string.Join("; ", plan.Conflicts)
                : "no libvirt host could be read: " + string.Join("; ", planned.Hosts.Select(h => $"{h.Host.Name} ({h.Host.Connect}): {h.Error}"));
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: message));
            return ProvisioningResult.Failed(message);
        }

        progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Succeeded,
            _time.GetElapsedTime(started), PlanSummary(layout, planned)));

        var runs = planned.Hosts.Select((h, i) => (Host: h, Index: i)).Where(h => h.Host.Plan is not null)
            .Select(h =>
            {
                var lease = leases[h.Index];
                leases[h.Index] = null;
                return Task.Run(() => ProvisionHostAsync(h.Host, lease, progress, started, powerOn, cancellationToken), cancellationToken);
            })
            .ToList();
        var outcomes = await Task.WhenAll(runs).ConfigureAwait(false);
        if (layout.Hosts.Count == 1 && outcomes[0].Error is { } only)
        {
            return ProvisioningResult.Failed(only);
        }

        var nodeErrors = new Dictionary<string, string>(planned.UnplacedNodes, StringComparer.Ordinal);
        foreach (var host in planned.Hosts.Where(h => h.Plan is null))
        {
            foreach (var node in host.Layout.Nodes)
            {
                nodeErrors[node.Name] = $"host {host.Host.Name} ({host.Host.Connect}) could not be read: {host.Error}";
            }
        }

        var views = new Dictionary<string, HostView>(StringComparer.Ordinal);
        foreach (var outcome in outcomes)
        {
            foreach (var (node, error) in outcome.NodeErrors)
            {
                nodeErrors[node] = error;
            }

            if (outcome.Error is { } hostError)
            {
                Log.HostFailed(_logger, cluster, outcome.Host.Host.Name, hostError);
                foreach (var node in outcome.Host.Layout.Nodes)
                {
                    nodeErrors[node.Name] = layout.NamesHosts ? $"host {outcome.Host.Host.Name}: {hostError}" : hostError;
                }
            }
            else if (outcome.View is not null)
            {
                views[outcome.Host.Host.Name] = new HostView(outcome.View, ReconnectAsync(outcome.Host.Host));
            }
        }

        var hostOf = planned.Placement.Nodes.Where(n => n.Host is not null).ToDictionary(n => n.Node.Name, n => n.Host!, StringComparer.Ordinal);
        return new ProvisioningResult(null, nodeErrors, views, hostOf)
        {
            NodesActedOn = outcomes.SelectMany(o => o.ActedOn).ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Removes every object of the cluster, and nothing else, on every host; returns how many were removed.
    /// A host that cannot be reached keeps its objects (the others are destroyed) and the destroy fails saying so.
    /// </summary>
    /// <exception cref="InvalidOperationException">Objects of the cluster are left behind.</exception>
    public async Task<int> DestroyAsync(ClusterLayout layout, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(progress);
        var results = await Task.WhenAll(layout.Hosts.Select(host => Task.Run(async () =>
        {
            try
            {
                return await DestroyOnHostAsync(layout.OnHost(host, layout.ClusterNodes), progress, cancellationToken).ConfigureAwait(false);
            }
            catch (LibvirtException e) when (layout.Hosts.Count > 1)
            {
                Log.HostUnreadable(_logger, layout.Cluster, host.Name, host.Connect, e.Message);
                return (Removed: 0, Left: (string?)$"host {host.Name} ({host.Connect}) could not be reached ({e.Message}): its objects are left; run destroy again once it is back");
            }
        }, cancellationToken))).ConfigureAwait(false);
        var removed = results.Sum(r => r.Removed);
        var left = results.Select(r => r.Left).OfType<string>().ToList();
        if (left.Count > 0)
        {
            throw new InvalidOperationException($"destroy of cluster {layout.Cluster} left objects behind ({removed} removed): " + string.Join("; ", left));
        }

        Log.Destroyed(_logger, layout.Cluster, removed);
        return removed;
    }

    /// <summary>Per-node status as each host's libvirt reports it, and the nodes the guests layer is asked about.</summary>
    public async Task<StatusReading> ReadStatusAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var readings = await Task.WhenAll(layout.Hosts.Select(host => Task.Run(async () =>
        {
            try
            {
                using var lease = await _connections.AcquireAsync(host.Connect, cancellationToken).ConfigureAwait(false);
                return ClusterStateReader.ReadHostStatus(lease.Connection, layout, host);
            }
            catch (LibvirtException e) when (layout.Hosts.Count > 1)
            {
                return HostStatusReading.Unread(host, e.Message);
            }
        }, cancellationToken))).ConfigureAwait(false);
        return ClusterStateReader.Merge(layout, readings);
    }

    /// <summary>Reads every host at once; a host that cannot be reached or read is reported, not thrown.</summary>
    private async Task<HostSurvey[]> SurveyAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        var (surveys, leases) = await SurveyKeepingConnectionsAsync(layout, cancellationToken).ConfigureAwait(false);
        foreach (var lease in leases)
        {
            lease?.Dispose();
        }

        return surveys;
    }

    /// <summary>As <see cref="SurveyAsync"/>, keeping each readable host's connection for the apply that follows (opening one can cost an SSH login).</summary>
    private async Task<(HostSurvey[] Surveys, ConnectionLease?[] Leases)> SurveyKeepingConnectionsAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        var read = await Task.WhenAll(layout.Hosts.Select(host => Task.Run(async () =>
        {
            ConnectionLease lease;
            try
            {
                lease = await _connections.AcquireAsync(host.Connect, cancellationToken).ConfigureAwait(false);
            }
            catch (LibvirtException e)
            {
                return (new HostSurvey(host, null, e.Message, Unreachable: true), (ConnectionLease?)null);
            }

            try
            {
                return (new HostSurvey(host, ClusterStateReader.Read(lease.Connection, layout), null), lease);
            }
            catch (Exception e) when (e is LibvirtException or InvalidOperationException or ObjectDisposedException)
            {
                lease.Dispose();
                return (new HostSurvey(host, null, e.Message), null);
            }
        }, cancellationToken))).ConfigureAwait(false);
        return (read.Select(r => r.Item1).ToArray(), read.Select(r => r.Item2).ToArray());
    }

    private static string PlanSummary(ClusterLayout layout, HostsPlan planned)
    {
        var plan = planned.Plan;
        var summary = plan.IsEmpty ? "libvirt already matches the spec" : $"{plan.Actions.Count} actions";
        if (!layout.NamesHosts)
        {
            return summary;
        }

        var hosts = planned.Hosts.Select(h => h.Plan is null
            ? $"{h.Host.Name} could not be read"
            : $"{h.Host.Name}: {string.Join(", ", h.Layout.Nodes.Select(n => n.Name).DefaultIfEmpty("no nodes"))}");
        return $"{summary}; {string.Join("; ", hosts)}";
    }

    /// <summary>
    /// One host's share of the apply: plan (again, from what it holds now) and execute on its connection,
    /// again on a new connection when that is lost, up to <see cref="ConnectionAttempts"/> times.
    /// </summary>
    /// <param name="surveyed">The connection the host was read on, used for the first attempt (owned by this run from now on).</param>
    private async Task<HostOutcome> ProvisionHostAsync(HostPlan host, ConnectionLease? surveyed, IProgress<ProgressEvent> progress, long started,
        IReadOnlySet<string>? powerOn, CancellationToken cancellationToken)
    {
        var layout = host.Layout;
        var cluster = layout.Cluster;
        var hostName = layout.NamesHosts ? host.Host.Name : null;
        var lease = surveyed;
        try
        {
            ReconcileResult? executed = null;
            string? lost = null;
            var actedOn = new HashSet<string>(StringComparer.Ordinal);
            for (var attempt = 1; executed is null; attempt++)
            {
                if (lost is not null)
                {
                    progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Started,
                        Message: $"resuming on a new libvirt connection (attempt {attempt} of {ConnectionAttempts}): {lost}") { Host = hostName });
                }

                if (lease is null || lost is not null)
                {
                    lease?.Dispose();
                    lease = null;
                    try
                    {
                        lease = await _connections.AcquireAsync(host.Host.Connect, cancellationToken).ConfigureAwait(false);
                    }
                    catch (LibvirtException e)
                    {
                        progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message) { Host = hostName });
                        return new HostOutcome(host, lost is null
                            ? $"cannot connect to {host.Host.Connect}: {e.Message}"
                            : $"connection to libvirt lost during apply ({lost}) and not regained: {e.Message}; run apply again once libvirtd is back", null, null);
                    }
                }

                var outcome = await PlanAndExecuteAsync(host, lease.Connection, progress, started, reportPlanned: lost is not null, powerOn, cancellationToken)
                    .ConfigureAwait(false);
                if (outcome.Plan is { } plan)
                {
                    actedOn.UnionWith(NodesActedOn(layout, plan));
                }

                if (outcome.Lost is { } reason)
                {
                    // Every action looks before it creates, so planning again from what libvirt now holds
                    // and running the rest is safe (the crash-consistency tests prove the same for a kill).
                    lost = reason;
                    Log.ConnectionLostDuringApply(_logger, cluster, reason, attempt, ConnectionAttempts);
                    if (attempt >= ConnectionAttempts)
                    {
                        return new HostOutcome(host, $"connection to libvirt lost during apply {attempt} times (last: {reason}); "
                            + "nothing half-made is left in use; run apply again once libvirtd is stable", null, null);
                    }

                    continue;
                }

                if (outcome.Failed is { } failed)
                {
                    return new HostOutcome(host, failed, null, null);
                }

                executed = outcome.Executed;
            }

            if (executed.Error is not null)
            {
                return new HostOutcome(host, executed.Error, null, null);
            }

            var view = new LibvirtHypervisorView(lease!.Connection, lease);
            lease = null;
            return new HostOutcome(host, null, executed.NodeErrors, view) { ActedOn = actedOn };
        }
        finally
        {
            lease?.Dispose();
        }
    }

    private async Task<(int Removed, string? Left)> DestroyOnHostAsync(ClusterLayout layout, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        using var lease = await _connections.AcquireAsync(layout.Host!.Connect, cancellationToken).ConfigureAwait(false);
        var plan = ClusterPlanner.PlanDestroy(layout, ClusterStateReader.Read(lease.Connection, layout));
        foreach (var conflict in plan.Conflicts)
        {
            Log.Conflict(_logger, layout.Cluster, conflict);
        }

        // The platform only matters for defining domains, which destroy never does.
        var context = new ReconcileContext(lease.Connection, layout, new HostPlatform(DomainType.Qemu, null, null, "destroy"), progress);
        var result = await _reconciler.ExecuteAsync(context, plan, ActualState.Empty, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? (result.ActionsCompleted, null)
            : (result.ActionsCompleted, (layout.NamesHosts ? $"on {layout.Host.Name}: " : "")
                + string.Join("; ", result.NodeErrors.Values.Append(result.Error).OfType<string>()));
    }

    /// <summary>
    /// The last lines of a node's serial console log (its pool volume), read through the connection of the
    /// host that has it; null when no host has it. With several hosts, each is asked at once: the log is on
    /// the host that holds the node's domain (a log left without its domain is still shown); when no
    /// readable host has it and a host could not be read, that host's error is thrown (the log may be there).
    /// </summary>
    public async Task<IReadOnlyList<string>?> ReadConsoleAsync(ClusterLayout layout, ClusterNode node, int lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(node);
        if (layout.Hosts.Count == 1)
        {
            return await ReadConsoleOnHostAsync(layout.Hosts[0], node, lines, cancellationToken).ConfigureAwait(false);
        }

        var found = await Task.WhenAll(layout.Hosts.Select(host => Task.Run(async () =>
        {
            try
            {
                using var lease = await _connections.AcquireAsync(host.Connect, cancellationToken).ConfigureAwait(false);
                using var domain = lease.Connection.LookupDomain(node.Name);
                return (Host: host, HasLog: ConsoleLogVolumes.Length(lease.Connection, node.ConsoleLog) is not null, HoldsDomain: domain is not null,
                    Error: (LibvirtException?)null);
            }
            catch (LibvirtException e)
            {
                return (Host: host, HasLog: false, HoldsDomain: false, Error: e);
            }
        }, cancellationToken))).ConfigureAwait(false);
        var holder = found.Where(f => f.HasLog).OrderByDescending(f => f.HoldsDomain).Select(f => f.Host).FirstOrDefault();
        if (holder is not null)
        {
            return await ReadConsoleOnHostAsync(holder, node, lines, cancellationToken).ConfigureAwait(false);
        }

        if (found.FirstOrDefault(f => f.Error is not null) is { Error: { } unread, Host: var unreadHost })
        {
            throw new InvalidOperationException($"host {unreadHost.Name} ({unreadHost.Connect}) could not be read ({unread.Message}); "
                + $"node {node.Name}'s console log may be there", unread);
        }

        return null;
    }

    private Task<IReadOnlyList<string>?> ReadConsoleOnHostAsync(HostSpec host, ClusterNode node, int lines, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            using var lease = await _connections.AcquireAsync(host.Connect, cancellationToken).ConfigureAwait(false);
            using var view = new LibvirtHypervisorView(lease.Connection);
            return await ConsoleLogTail.ReadLinesAsync(view, node.ConsoleLog, lines, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

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
            // The node's domain is on the host that holds it (the placement is read, not remembered).
            ConnectionLease? lease = null;
            Domain? domain = null;
            foreach (var host in layout.Hosts)
            {
                lease = await _connections.AcquireAsync(host.Connect, cancellationToken).ConfigureAwait(false);
                domain = lease.Connection.LookupDomain(node);
                if (domain is not null && IsOwned(layout, node, domain))
                {
                    break;
                }

                domain?.Dispose();
                domain = null;
                lease.Dispose();
                lease = null;
            }

            using var held = lease;
            using var owned = domain;
            if (domain is null || !domain.IsActive)
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

            if (!await DomainShutdown.WaitUntilStoppedAsync(domain, shutdownTimeout, _time, cancellationToken).ConfigureAwait(false))
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

    /// <summary>A view over a new connection to <paramref name="host"/>, for lease waits whose connection was lost.</summary>
    private Func<CancellationToken, ValueTask<IHypervisorView>> ReconnectAsync(HostSpec host) => async token =>
    {
        try
        {
            var lease = await _connections.AcquireAsync(host.Connect, token).ConfigureAwait(false);
            return new LibvirtHypervisorView(lease.Connection, lease);
        }
        catch (Exception e) when (LibvirtHypervisorView.IsConnectionLost(e))
        {
            throw new HypervisorConnectionLostException(e.Message, e);
        }
    };

    /// <summary>
    /// Reads, plans and executes one host's share on one connection; reports whether that connection was
    /// lost on the way. The plan is made again from what the host holds now (the placement stays the
    /// apply's); <paramref name="reportPlanned"/> reports it when it resumes after a lost connection.
    /// </summary>
    private async Task<LibvirtPhase> PlanAndExecuteAsync(HostPlan host, Connection connection, IProgress<ProgressEvent> progress,
        long started, bool reportPlanned, IReadOnlySet<string>? powerOn, CancellationToken cancellationToken)
    {
        var layout = host.Layout;
        var cluster = layout.Cluster;
        var hostName = layout.NamesHosts ? host.Host.Name : null;
        HostPlatform platform;
        ActualState actual;
        ClusterPlan plan;
        try
        {
            platform = _detector.Detect(connection, layout.Spec.Vm.Accelerator);
            actual = ClusterStateReader.Read(connection, layout);
            plan = host.Releases ? ClusterPlanner.PlanDestroy(layout, actual)
                : powerOn is not null ? ClusterPlanner.PlanPowerOn(layout, actual, powerOn)
                : ClusterPlanner.PlanApply(layout, actual);
        }
        catch (Exception e) when (IsLost(e, connection))
        {
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message) { Host = hostName });
            return new LibvirtPhase(null, null, e.Message);
        }
        catch (Exception e) when (e is LibvirtException or InvalidOperationException)
        {
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: e.Message) { Host = hostName });
            return new LibvirtPhase(null, e.Message, null);
        }

        if (plan.HasConflicts)
        {
            foreach (var conflict in plan.Conflicts)
            {
                Log.Conflict(_logger, cluster, conflict);
            }

            var message = "nothing was changed: " + string.Join("; ", plan.Conflicts);
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Failed, Message: message) { Host = hostName });
            return new LibvirtPhase(null, message, null);
        }

        if (reportPlanned)
        {
            Log.Planned(_logger, cluster, plan.Actions.Count, plan.Conflicts.Count);
            progress.Report(new ProgressEvent(_time.GetUtcNow(), cluster, null, ProvisioningStep.Plan, StepState.Succeeded,
                _time.GetElapsedTime(started), plan.IsEmpty ? "libvirt already matches the spec" : $"{plan.Actions.Count} actions") { Host = hostName });
        }

        ReconcileResult executed;
        try
        {
            executed = await _reconciler.ExecuteAsync(new ReconcileContext(connection, layout, platform, progress), plan, actual, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (IsLost(e, connection))
        {
            // The connection was closed under a running action (the provider replaced it).
            return new LibvirtPhase(null, null, e.Message, plan);
        }

        var failedWith = executed.Error ?? executed.NodeErrors.Values.FirstOrDefault();
        return failedWith is not null && !IsAlive(connection)
            ? new LibvirtPhase(null, null, failedWith, plan)
            : new LibvirtPhase(executed, null, null, plan);
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
    private sealed record LibvirtPhase(ReconcileResult? Executed, string? Failed, string? Lost, ClusterPlan? Plan = null);

    /// <summary>How one host's share ended: <see cref="Error"/> when it stopped, else its nodes' errors and a view for their lease waits.</summary>
    private sealed record HostOutcome(HostPlan Host, string? Error, IReadOnlyDictionary<string, string>? NodeErrors, IHypervisorView? View)
    {
        public IReadOnlyDictionary<string, string> NodeErrors { get; } = NodeErrors ?? new Dictionary<string, string>();

        /// <summary>The nodes this host's plans changed in libvirt (see <see cref="NodesActedOn"/>).</summary>
        public IReadOnlySet<string> ActedOn { get; init; } = new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>
    /// The nodes a plan changes in libvirt: those with an action of their own, and every node when the
    /// network is made or replaced (their links and leases start again).
    /// </summary>
    internal static IEnumerable<string> NodesActedOn(ClusterLayout layout, ClusterPlan plan) =>
        plan.Actions.Any(a => a.Target == ObjectKind.Network)
            ? layout.Nodes.Select(n => n.Name).Concat(plan.Actions.Select(a => a.Node).OfType<string>())
            : plan.Actions.Select(a => a.Node).OfType<string>();
}

/// <summary>The guests layer's view of one host, and how to get a new one when its connection is lost.</summary>
public sealed record HostView(IHypervisorView Hypervisor, Func<CancellationToken, ValueTask<IHypervisorView>> Reconnect);

/// <summary>
/// How the libvirt phase of an apply ended: <see cref="Error"/> when it stopped (nothing more to do),
/// else the nodes that failed and, per host, a view of the hypervisor for its nodes' lease waits.
/// Disposing it releases those views' connections.
/// </summary>
public sealed class ProvisioningResult(
    string? error,
    IReadOnlyDictionary<string, string> nodeErrors,
    IReadOnlyDictionary<string, HostView> hosts,
    IReadOnlyDictionary<string, string> hostOfNode) : IDisposable
{
    /// <summary>Why the apply stopped before any node could be waited for; null when it did not.</summary>
    public string? Error { get; } = error;

    /// <summary>Nodes whose libvirt actions failed (or whose host failed or could not be read), with the reason.</summary>
    public IReadOnlyDictionary<string, string> NodeErrors { get; } = nodeErrors;

    /// <summary>The view of the host <paramref name="node"/> is on, for its lease wait; null when that host has none (it failed).</summary>
    public HostView? ViewOf(string node) => hostOfNode.TryGetValue(node, out var host) && hosts.TryGetValue(host, out var view) ? view : null;

    /// <summary>
    /// The nodes whose domain (or network) this apply changed in libvirt: their recorded configuration
    /// cannot be trusted to describe what now runs, so they are waited for and configured again.
    /// </summary>
    public IReadOnlySet<string> NodesActedOn { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The host <paramref name="node"/> is placed on, or null.</summary>
    public string? HostOf(string node) => hostOfNode.GetValueOrDefault(node);

    public static ProvisioningResult Failed(string error) =>
        new(error, new Dictionary<string, string>(), new Dictionary<string, HostView>(), new Dictionary<string, string>());

    public void Dispose()
    {
        foreach (var view in hosts.Values)
        {
            view.Hypervisor.Dispose();
        }
    }
}
