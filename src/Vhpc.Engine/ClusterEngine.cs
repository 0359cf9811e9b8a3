using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Ansible;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Engine.Telemetry;
using Vhpc.Guests;
using Vhpc.Guests.Leases;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Provisioning;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Spec;
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
    ISshCommandRunner? ssh = null) : IClusterEngine
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly GuestsOptions _guests = guests?.Value ?? new GuestsOptions();

    public Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken) =>
        provisioner.PlanAsync(LayoutOf(spec), cancellationToken);

    public async Task<ApplyResult> ApplyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
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
    public async Task<ClusterStatus> GetStatusAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        var layout = LayoutOf(spec);
        var reading = await provisioner.ReadStatusAsync(layout, cancellationToken).ConfigureAwait(false);
        if (guestStatus is null)
        {
            return reading.Status;
        }

        var guests = await guestStatus.ReadAsync(new GuestStatusRequest(layout, reading.Targets), cancellationToken).ConfigureAwait(false);
        var nodes = reading.Status.Nodes
            .Select(n => guests.TryGetValue(n.Name, out var guest) ? n with { Ssh = guest.Ssh, Configuration = guest.Configuration } : n)
            .ToList();
        return reading.Status with { Nodes = nodes };
    }

    /// <summary>The node's address from status, with the cluster's key pair and known_hosts from the guests layer's state directory.</summary>
    public async Task<NodeAccess?> GetNodeAccessAsync(ClusterSpec spec, string node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(node);
        var status = await GetStatusAsync(spec, cancellationToken).ConfigureAwait(false);
        if (status.Nodes.FirstOrDefault(n => IsNamed(n.Name, node, spec)) is not { } found)
        {
            return null;
        }

        var state = new ClusterStateDirectory(_guests.StateRoot, spec.Name);
        return new NodeAccess(spec.Name, found.Name, found.State, found.Address, spec.User.Name, state.PrivateKeyPath, state.KnownHostsPath);
    }

    /// <summary>The node's serial console log, where the layout says it is (vm.consoleLogDirectory), read from its end.</summary>
    public Task<NodeConsole?> ReadConsoleAsync(ClusterSpec spec, string node, int? lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var layout = LayoutOf(spec);
        if (layout.Nodes.FirstOrDefault(n => IsNamed(n.Name, node, spec)) is not { } found)
        {
            return Task.FromResult<NodeConsole?>(null);
        }

        IReadOnlyList<string>? tail;
        try
        {
            tail = ConsoleLogTail.ReadLines(found.ConsoleLogPath, lines ?? _guests.ConsoleTailLines);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            tail = null;
        }

        return Task.FromResult<NodeConsole?>(new NodeConsole(spec.Name, found.Name, found.ConsoleLogPath, tail));
    }

    private static bool IsNamed(string nodeName, string wanted, ClusterSpec spec) =>
        string.Equals(nodeName, wanted, StringComparison.Ordinal)
        || string.Equals(nodeName + "." + spec.Domain, wanted, StringComparison.Ordinal);

    private async Task<ApplyResult> ApplyLockedAsync(ClusterLayout layout, IProgress<ProgressEvent> progress, long started, CancellationToken cancellationToken)
    {
        using var provisioned = await provisioner.ProvisionAsync(layout, progress, started, cancellationToken).ConfigureAwait(false);
        if (provisioned.Error is { } error)
        {
            return Failed(layout, started, error);
        }

        var nodeErrors = new Dictionary<string, (string Error, string? Tail)>(StringComparer.Ordinal);
        foreach (var (node, nodeError) in provisioned.NodeErrors)
        {
            nodeErrors[node] = (nodeError, null);
        }

        var ready = await WaitForNodesAsync(layout, provisioned, progress, nodeErrors, cancellationToken).ConfigureAwait(false);
        if (ready is not null)
        {
            await ConfigureAsync(layout, ready, progress, nodeErrors, cancellationToken).ConfigureAwait(false);
        }

        var nodes = layout.Nodes
            .Select(n => nodeErrors.TryGetValue(n.Name, out var e) ? new NodeResult(n.Name, false, e.Error, e.Tail) : new NodeResult(n.Name, true, null, null))
            .ToList();
        var succeeded = nodes.All(n => n.Succeeded);
        return new ApplyResult(layout.Cluster, succeeded, time.GetElapsedTime(started), nodes,
            succeeded ? null : $"{nodes.Count(n => !n.Succeeded)} of {nodes.Count} nodes failed");
    }

    /// <summary>Every node without an error so far, waited for in parallel; null when readiness is not wired.</summary>
    private async Task<List<ReadyNode>?> WaitForNodesAsync(ClusterLayout layout, ProvisioningResult provisioned, IProgress<ProgressEvent> progress,
        Dictionary<string, (string Error, string? Tail)> nodeErrors, CancellationToken cancellationToken)
    {
        if (readiness is null)
        {
            Log.StepNotWired(logger, layout.Cluster, "node readiness (lease, SSH)");
            progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, null, ProvisioningStep.Lease, StepState.Skipped,
                Message: "lease and SSH readiness are not wired into this engine"));
            return null;
        }

        // On-demand workers are Slurm's to power: an apply declares them and waits for none of them
        // (one Slurm started is configured by its own resume, alone).
        var candidates = layout.Nodes.Where(n => !nodeErrors.ContainsKey(n.Name) && !n.OnDemand).ToList();
        var results = await Task.WhenAll(candidates.Select(async node =>
        {
            try
            {
                return (node, await readiness.WaitUntilReadyAsync(
                    new NodeReadinessRequest(layout.Spec, layout, node, provisioned.Hypervisor!, progress, provisioned.Reconnect),
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

        using var scope = LogScopes.Step(logger, null, ProvisioningStep.Configure);
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
