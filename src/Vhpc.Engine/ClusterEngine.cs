using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Ansible;
using Vhpc.Engine.Checks;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Engine.Telemetry;
using Vhpc.Guests;
using Vhpc.Guests.Checks;
using Vhpc.Guests.Leases;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Provisioning;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Engine;

/// <summary>
/// The engine the daemon calls. It validates the spec, then composes the layers: provisioning brings
/// libvirt to the spec, then (when wired) guest readiness waits for every node and configuration sets
/// the ready ones up. Operations on one cluster are serialized. A spec that fails validation throws
/// <see cref="ClusterSpecException"/> before any libvirt call.
/// </summary>
/// <param name="guests">Where the guests layer keeps each cluster's keys and known_hosts, and how many console lines to show.</param>
internal sealed partial class ClusterEngine(
    ClusterProvisioner provisioner,
    TimeProvider time,
    ILogger<ClusterEngine> logger,
    INodeReadiness? readiness = null,
    IClusterConfiguration? configuration = null,
    IGuestStatusSource? guestStatus = null,
    IOptions<GuestsOptions>? guests = null,
    IClusterChecker? checker = null,
    ISshCommandRunner? ssh = null) : IClusterEngine
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly GuestsOptions _guests = guests?.Value ?? new GuestsOptions();

    public Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken) =>
        provisioner.PlanAsync(LayoutOf(spec), cancellationToken);

    public Task<ApplyResult> ApplyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken) =>
        ApplyAsync(spec, ApplyOptions.Default, progress, cancellationToken);

    public async Task<ApplyResult> ApplyAsync(ClusterSpec spec, ApplyOptions options, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var layout = LayoutOf(spec);
        var started = time.GetTimestamp();
        using var scope = LogScopes.Cluster(logger, layout.Cluster);
        using var activity = VhpcTelemetry.ActivitySource.StartActivity("vhpc.apply");
        activity?.SetTag("vhpc.cluster", layout.Cluster);
        var gate = _locks.GetOrAdd(layout.Cluster, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await Task.Run(() => ApplyLockedAsync(layout, options, progress, started, cancellationToken), cancellationToken).ConfigureAwait(false);
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
        using var scope = LogScopes.Cluster(logger, layout.Cluster);
        using var activity = VhpcTelemetry.ActivitySource.StartActivity("vhpc.destroy");
        activity?.SetTag("vhpc.cluster", layout.Cluster);
        var gate = _locks.GetOrAdd(layout.Cluster, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var removed = await provisioner.DestroyAsync(layout, progress, cancellationToken).ConfigureAwait(false);
            return new DestroyResult(layout.Cluster, removed);
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
    public Task<ClusterStatus> GetStatusAsync(ClusterSpec spec, CancellationToken cancellationToken) =>
        ReadStatusAsync(LayoutOf(spec), withSlurm: true, cancellationToken);

    /// <param name="withSlurm">
    /// For an elastic cluster whose management node runs: Slurm's view of each worker too (sinfo on the
    /// management node, bounded by <see cref="StatusSlurmTimeout"/>), so that the power state libvirt
    /// reports stands beside Slurm's (<c>idle~</c>, powering up, down). The one login status makes.
    /// </param>
    private async Task<ClusterStatus> ReadStatusAsync(ClusterLayout layout, bool withSlurm, CancellationToken cancellationToken)
    {
        var reading = await provisioner.ReadStatusAsync(layout, cancellationToken).ConfigureAwait(false);
        if (guestStatus is null)
        {
            return reading.Status;
        }

        var guests = await guestStatus.ReadAsync(new GuestStatusRequest(layout, reading.Targets), cancellationToken).ConfigureAwait(false);
        var rolesHash = configuration?.CurrentRolesHash(layout);
        var nodes = reading.Status.Nodes
            .Select(n => guests.TryGetValue(n.Name, out var guest) ? n with { Ssh = guest.Ssh, Configuration = WithRoles(guest.Configuration, rolesHash) } : n)
            .ToList();
        if (withSlurm && layout.IsElastic
            && nodes.FirstOrDefault(n => n.Name == layout.Management.Name) is { Ssh: SshState.Ready }
            && await ReadSlurmStatesAsync(layout, StatusSlurmTimeout, cancellationToken).ConfigureAwait(false) is { } slurm)
        {
            var at = time.GetUtcNow();
            nodes = nodes.Select(n => slurm.TryGetValue(n.Name, out var state) ? n with { Slurm = state, SlurmAt = at } : n).ToList();
        }

        return reading.Status with { Nodes = nodes };
    }

    /// <summary>
    /// A node configured for this spec but with other roles or keys than the ones a run would use now
    /// is stale too: the next apply configures it again (its record does not hold), so status says so
    /// before the user is surprised by a run.
    /// </summary>
    private static NodeConfigurationStatus WithRoles(NodeConfigurationStatus status, string? rolesHash) =>
        status.State == ConfigurationState.Yes && rolesHash is not null && !string.Equals(status.RolesHash, rolesHash, StringComparison.Ordinal)
            ? status with { State = ConfigurationState.Stale, StaleBecause = NodeConfigurationStatus.RolesChanged }
            : status;

    /// <summary>The node's address from status, with the cluster's key pair and known_hosts from the guests layer's state directory.</summary>
    public async Task<NodeAccess?> GetNodeAccessAsync(ClusterSpec spec, string node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(node);
        var status = await ReadStatusAsync(LayoutOf(spec), withSlurm: false, cancellationToken).ConfigureAwait(false);
        if (status.Nodes.FirstOrDefault(n => IsNamed(n.Name, node, spec)) is not { } found)
        {
            return null;
        }

        var state = new ClusterStateDirectory(_guests.StateRoot, spec.Name);
        return new NodeAccess(spec.Name, found.Name, found.State, found.Address, spec.User.Name, state.PrivateKeyPath, state.KnownHostsPath);
    }

    /// <summary>The node's serial console log (its volume in the cluster's pool, read through libvirt), from its end.</summary>
    public async Task<NodeConsole?> ReadConsoleAsync(ClusterSpec spec, string node, int? lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var layout = LayoutOf(spec);
        if (layout.Nodes.FirstOrDefault(n => IsNamed(n.Name, node, spec)) is not { } found)
        {
            return null;
        }

        var tail = await provisioner.ReadConsoleAsync(layout, found, lines ?? _guests.ConsoleTailLines, cancellationToken).ConfigureAwait(false);
        return new NodeConsole(spec.Name, found.Name, found.ConsoleLog.ToString(), tail);
    }

    /// <summary>
    /// The guests layer's checks, logged in with the cluster's key and known_hosts. Takes no cluster
    /// lock: it changes nothing vhpcd owns (the daemon refuses it while an apply or destroy runs).
    /// </summary>
    public async Task<ClusterCheckReport> CheckAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var layout = LayoutOf(spec);
        if (checker is null)
        {
            throw new InvalidOperationException("checks log into the nodes over SSH, and the guests layer is not wired into this engine");
        }

        var state = new ClusterStateDirectory(_guests.StateRoot, spec.Name);
        if (!File.Exists(state.PrivateKeyPath))
        {
            throw new InvalidOperationException($"cluster {spec.Name} has no SSH key in {state.Path}: it has not been applied (run: vhpc apply {spec.Name})");
        }

        using var scope = LogScopes.Cluster(logger, layout.Cluster);
        using var activity = VhpcTelemetry.ActivitySource.StartActivity("vhpc.check");
        activity?.SetTag("vhpc.cluster", layout.Cluster);
        var report = await checker.CheckAsync(new ClusterCheckRequest(layout, spec.User.Name, state.PrivateKeyPath, state.KnownHostsPath), progress, cancellationToken)
            .ConfigureAwait(false);
        activity?.SetTag("vhpc.outcome", report.Passed ? "ok" : "error");
        if (!report.Passed)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }

        return report;
    }

    private static bool IsNamed(string nodeName, string wanted, ClusterSpec spec) =>
        string.Equals(nodeName, wanted, StringComparison.Ordinal)
        || string.Equals(nodeName + "." + spec.Domain, wanted, StringComparison.Ordinal);

    private async Task<ApplyResult> ApplyLockedAsync(ClusterLayout layout, ApplyOptions options, IProgress<ProgressEvent> progress, long started,
        CancellationToken cancellationToken)
    {
        await DrainLeavingWorkersAsync(layout, progress, cancellationToken).ConfigureAwait(false);
        using var provisioned = await provisioner.ProvisionAsync(layout, progress, started, cancellationToken).ConfigureAwait(false);
        if (provisioned.Error is { } error)
        {
            return Failed(layout, started, error);
        }

        // Left alone: nodes whose recorded configuration still holds and whose domain this apply did not
        // touch. Everything else is waited for and configured, each node as soon as it can be.
        var upToDate = configuration is null || readiness is null || options.Reconfigure
            ? new HashSet<string>(StringComparer.Ordinal)
            : configuration.NodesUpToDate(layout).Where(n => !provisioned.NodesActedOn.Contains(n)).ToHashSet(StringComparer.Ordinal);
        var outcomes = await ConfigureAsTheyComeAsync(layout, provisioned, upToDate, progress, cancellationToken).ConfigureAwait(false);
        var nodes = layout.Nodes.Select(n => outcomes[n.Name]).ToList();
        var succeeded = nodes.All(n => n.Succeeded);
        return new ApplyResult(layout.Cluster, succeeded, time.GetElapsedTime(started), nodes,
            succeeded ? null : $"{nodes.Count(n => !n.Succeeded)} of {nodes.Count} nodes failed");
    }

    /// <summary>
    /// Scale-in: workers that have a domain of the cluster but are no longer in the spec are drained in
    /// Slurm on the management node before provisioning removes their domains. A failed drain is
    /// reported and the removal goes on (the spec asks for it); the management node's next configuration
    /// drops them from slurm.conf either way.
    /// </summary>
    private async Task DrainLeavingWorkersAsync(ClusterLayout layout, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        if (configuration is null)
        {
            return;
        }

        var plan = await provisioner.PlanAsync(layout, cancellationToken).ConfigureAwait(false);
        var inLayout = layout.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var leaving = plan.Actions
            .Where(a => a is { Kind: ActionKind.Delete, Target: ObjectKind.Domain, Node: not null } && !inLayout.Contains(a.Node!))
            .Select(a => a.Node!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (leaving.Count == 0 || plan.HasConflicts)
        {
            return;
        }

        using var scope = LogScopes.Step(logger, layout.Management.Name, ProvisioningStep.Drain);
        var drainStarted = time.GetTimestamp();
        var workers = string.Join(',', leaving);
        progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, layout.Management.Name, ProvisioningStep.Drain, StepState.Started, Message: workers));
        string? failure;
        try
        {
            failure = await configuration.DrainAsync(layout, leaving, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e.Message;
        }

        if (failure is not null)
        {
            Log.DrainFailed(logger, layout.Cluster, workers, failure);
        }

        progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, layout.Management.Name, ProvisioningStep.Drain,
            failure is null ? StepState.Succeeded : StepState.Failed, time.GetElapsedTime(drainStarted),
            failure is null ? $"{workers} drained and down" : $"{workers} not drained, removed anyway: {failure}"));
    }

    /// <summary>
    /// Per node, with no barrier on the slowest: readiness, then configuration as soon as it may run.
    /// The management node is configured the moment it is ready; a worker once it is ready and the
    /// management node's configuration succeeded (or still holds); a failed management node fails its
    /// workers with its reason. Nodes in <paramref name="upToDate"/> are not waited for or logged into.
    /// </summary>
    private async Task<Dictionary<string, NodeResult>> ConfigureAsTheyComeAsync(ClusterLayout layout, ProvisioningResult provisioned,
        IReadOnlySet<string> upToDate, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        if (readiness is null)
        {
            Log.StepNotWired(logger, layout.Cluster, "node readiness (lease, SSH)");
            progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, null, ProvisioningStep.Lease, StepState.Skipped,
                Message: "lease and SSH readiness are not wired into this engine"));
        }
        else if (configuration is null)
        {
            Log.StepNotWired(logger, layout.Cluster, "configuration (Ansible)");
            progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, null, ProvisioningStep.Configure, StepState.Skipped,
                Message: "configuration is not wired into this engine"));
        }

        var management = layout.Management;
        var workers = new WorkerConfigurationGate(nodes => ConfigureNodesAsync(layout, nodes, progress, cancellationToken));
        var results = await Task.WhenAll(layout.Nodes.Select(async node =>
        {
            var result = await ConfigureNodeAsync(layout, node, provisioned, upToDate, workers, progress, cancellationToken).ConfigureAwait(false);
            if (node == management)
            {
                if (result.Succeeded)
                {
                    await workers.OpenAsync().ConfigureAwait(false);
                }
                else
                {
                    workers.Fail($"management node {node.Name} failed: {result.Error}");
                }
            }

            if (!result.Succeeded)
            {
                Log.NodeFailed(logger, layout.Cluster, node.Name, result.Error ?? "failed");
                VhpcTelemetry.NodeTransitions.Add(1, new KeyValuePair<string, object?>("state", "failed"));
            }

            return result;
        })).ConfigureAwait(false);
        return results.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    private async Task<NodeResult> ConfigureNodeAsync(ClusterLayout layout, ClusterNode node, ProvisioningResult provisioned,
        IReadOnlySet<string> upToDate, WorkerConfigurationGate workers, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        if (provisioned.NodeErrors.TryGetValue(node.Name, out var provisioningError))
        {
            return new NodeResult(node.Name, false, provisioningError, null);
        }

        if (node.OnDemand)
        {
            // Slurm's to power: an apply declares it and waits for nothing; one Slurm started is
            // configured by its own resume, alone.
            progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, node.Name, ProvisioningStep.Configure, StepState.Skipped,
                Message: "on-demand worker: Slurm powers it up, and its resume configures it"));
            return new NodeResult(node.Name, true, null, null) { Configuration = NodeConfigurationRun.NotRun };
        }

        if (upToDate.Contains(node.Name))
        {
            progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, node.Name, ProvisioningStep.Configure, StepState.Skipped,
                Message: "configuration record holds (same spec, roles, keys and disk); not logged into"));
            return new NodeResult(node.Name, true, null, null) { Configuration = NodeConfigurationRun.UpToDate };
        }

        if (readiness is null)
        {
            return new NodeResult(node.Name, true, null, null);
        }

        NodeReadinessResult ready;
        try
        {
            // Each node's lease (or address) wait and stop events go through the connection of its own host.
            var view = provisioned.ViewOf(node.Name)
                ?? throw new InvalidOperationException($"no libvirt connection to the host of node {node.Name} ({provisioned.HostOf(node.Name) ?? "not placed"})");
            ready = await readiness.WaitUntilReadyAsync(
                new NodeReadinessRequest(layout.Spec, layout, node, view.Hypervisor, progress, view.Reconnect), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ready = new NodeReadinessResult(false, null, e.Message);
        }

        if (!ready.Ready || ready.Address is null)
        {
            return new NodeResult(node.Name, false, ready.Error ?? "node did not become ready", ready.ConsoleTail);
        }

        VhpcTelemetry.NodeTransitions.Add(1, new KeyValuePair<string, object?>("state", "ssh"));
        if (configuration is null)
        {
            return new NodeResult(node.Name, true, null, null);
        }

        var readyNode = new ReadyNode(node, ready.Address);
        NodeConfigurationResult configured;
        if (node.Role == NodeRole.Management)
        {
            configured = (await ConfigureNodesAsync(layout, [readyNode], progress, cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(r => r.Node == node.Name) ?? new NodeConfigurationResult(node.Name, false, "no configuration result for this node");
        }
        else
        {
            configured = await workers.ConfigureAsync(readyNode).ConfigureAwait(false);
            if (!configured.Succeeded && configured.Error is { } reason && reason.StartsWith("management node ", StringComparison.Ordinal))
            {
                // Never run: say so where the operator looks (apply output and status).
                progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, node.Name, ProvisioningStep.Configure, StepState.Failed, Message: reason));
                configuration.RecordNotConfigured(layout, node, reason);
                return new NodeResult(node.Name, false, reason, null) { Configuration = NodeConfigurationRun.NotRun };
            }
        }

        if (configured.Succeeded)
        {
            VhpcTelemetry.NodeTransitions.Add(1, new KeyValuePair<string, object?>("state", "ready"));
        }

        return new NodeResult(node.Name, configured.Succeeded, configured.Succeeded ? null : configured.Error ?? "configuration failed", null)
        {
            Configuration = NodeConfigurationRun.Ran,
        };
    }

    /// <summary>One configuration run for <paramref name="nodes"/>; a thrown error fails each of them with its message.</summary>
    private async Task<IReadOnlyList<NodeConfigurationResult>> ConfigureNodesAsync(ClusterLayout layout, IReadOnlyList<ReadyNode> nodes,
        IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        using var scope = LogScopes.Step(logger, nodes.Count == 1 ? nodes[0].Node.Name : null, ProvisioningStep.Configure);
        try
        {
            return await configuration!.ConfigureAsync(new ClusterConfigurationRequest(layout.Spec, layout, nodes, progress), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            foreach (var node in nodes)
            {
                progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, node.Node.Name, ProvisioningStep.Configure, StepState.Failed, Message: e.Message));
            }

            return nodes.Select(r => new NodeConfigurationResult(r.Node.Name, false, e.Message)).ToList();
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
