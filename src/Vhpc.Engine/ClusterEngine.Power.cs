using System.Diagnostics;
using Vhpc.Ansible;
using Vhpc.Engine.Power;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Engine.Telemetry;
using Vhpc.Guests;
using Vhpc.Provisioning;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Spec;
using Vhpc.Spec.Layout;

namespace Vhpc.Engine;

/// <summary>
/// Power of on-demand workers. A resume runs the normal provisioning path for that one node (the
/// shared objects checked, its volumes and domain made if missing, then started), waits for it like
/// an apply does, and configures it alone (<c>--limit</c>) only when its configuration record is not
/// current: a node that was configured before boots with its services enabled and registers by
/// itself. The libvirt part holds the cluster's lock (it must not interleave with an apply's plan);
/// the wait and the configuration do not.
/// </summary>
internal sealed partial class ClusterEngine : IClusterPowerEngine
{
    /// <summary>How long a suspended guest gets to shut down cleanly before it is powered off.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(120);

    private static readonly TimeSpan SlurmCommandTimeout = TimeSpan.FromSeconds(60);

    public async Task<NodePowerResult> PowerOnAsync(ClusterSpec spec, string node, CancellationToken cancellationToken)
    {
        var layout = LayoutOf(spec);
        var target = OnDemandWorker(layout, node);
        var started = time.GetTimestamp();
        using var scope = LogScopes.Cluster(logger, layout.Cluster);
        using var activity = PowerSpan("vhpc.power.resume", layout.Cluster, target.Name);
        var progress = new Progress<ProgressEvent>(_ => { });
        NodePowerResult Result(bool ok, bool changed, bool configured, string? error)
        {
            var result = new NodePowerResult(layout.Cluster, target.Name, ok, changed, configured, time.GetElapsedTime(started), error);
            EndPowerSpan(activity, "resume", result);
            return result;
        }

        ProvisioningResult provisioned;
        var gate = _locks.GetOrAdd(layout.Cluster, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            provisioned = await Task.Run(() => provisioner.ProvisionAsync(layout, progress, started, cancellationToken,
                new HashSet<string>(StringComparer.Ordinal) { target.Name }), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        using (provisioned)
        {
            if ((provisioned.Error ?? provisioned.NodeErrors.GetValueOrDefault(target.Name)) is { } libvirtError)
            {
                return Result(false, false, false, libvirtError);
            }

            if (readiness is null)
            {
                return Result(false, true, false, "node readiness is not wired into this engine");
            }

            NodeReadinessResult ready;
            try
            {
                // The node's lease (or address) wait goes through the connection of the host it is placed on.
                var view = provisioned.ViewOf(target.Name)
                    ?? throw new InvalidOperationException($"no libvirt connection to the host of node {target.Name} ({provisioned.HostOf(target.Name) ?? "not placed"})");
                ready = await readiness.WaitUntilReadyAsync(
                    new NodeReadinessRequest(layout.Spec, layout, target, view.Hypervisor, progress, view.Reconnect), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ready = new NodeReadinessResult(false, null, e.Message);
            }

            if (!ready.Ready || ready.Address is null)
            {
                return Result(false, true, false, ready.Error ?? "node did not become ready");
            }

            if (configuration is null)
            {
                return Result(false, true, false, "configuration is not wired into this engine");
            }

            // A node configured before on this disk, for this spec and these roles boots with its
            // services enabled and registers by itself. Otherwise it is configured alone, as a worker
            // joining an apply is: --limit to it, over the inventory of every node, which the management
            // node's slurm.conf already lists; no other node is logged into.
            var upToDate = configuration.NodesUpToDate(layout).Contains(target.Name);
            if (upToDate)
            {
                return Result(true, true, false, null);
            }

            Log.ConfiguringResumedNode(logger, layout.Cluster, target.Name, "its configuration record does not hold");
            var results = await ConfigureNodesAsync(layout, [new ReadyNode(target, ready.Address)], progress, cancellationToken).ConfigureAwait(false);
            var mine = results.FirstOrDefault(r => r.Node == target.Name);
            return mine is { Succeeded: true }
                ? Result(true, true, true, null)
                : Result(false, true, false, mine?.Error ?? "no configuration result for this node");
        }
    }

    public async Task<NodePowerResult> PowerOffAsync(ClusterSpec spec, string node, CancellationToken cancellationToken)
    {
        var layout = LayoutOf(spec);
        var target = OnDemandWorker(layout, node);
        var started = time.GetTimestamp();
        using var scope = LogScopes.Cluster(logger, layout.Cluster);
        using var activity = PowerSpan("vhpc.power.suspend", layout.Cluster, target.Name);
        NodePowerResult result;
        try
        {
            var changed = await provisioner.PowerOffAsync(layout, target.Name, ShutdownTimeout, cancellationToken).ConfigureAwait(false);
            result = new NodePowerResult(layout.Cluster, target.Name, true, changed, false, time.GetElapsedTime(started), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            result = new NodePowerResult(layout.Cluster, target.Name, false, false, false, time.GetElapsedTime(started), e.Message);
        }

        EndPowerSpan(activity, "suspend", result);
        return result;
    }

    public Task<IReadOnlyDictionary<string, string>?> ReadSlurmStatesAsync(ClusterSpec spec, CancellationToken cancellationToken) =>
        ReadSlurmStatesAsync(LayoutOf(spec), SlurmCommandTimeout, cancellationToken);

    /// <summary>`vhpc status` waits this long for sinfo on the management node, then shows the nodes without Slurm's view.</summary>
    private static readonly TimeSpan StatusSlurmTimeout = TimeSpan.FromSeconds(15);

    private async Task<IReadOnlyDictionary<string, string>?> ReadSlurmStatesAsync(ClusterLayout layout, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var output = await RunOnManagementAsync(layout, "sinfo --noheader --Node --format='%N %t'", timeout, cancellationToken).ConfigureAwait(false);
        if (output is null)
        {
            return null;
        }

        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2)
            {
                // A node in several partitions is listed once per partition, with the same state.
                states[parts[0]] = parts[1];
            }
        }

        return states;
    }

    public async Task<string?> UpdateSlurmNodeAsync(ClusterSpec spec, string node, SlurmNodeUpdate update, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var layout = LayoutOf(spec);
        var target = OnDemandWorker(layout, node);
        var state = update == SlurmNodeUpdate.Down ? "down" : "power_down_force";
        // The reason goes through the shell: only characters that need no quoting inside '...'.
        var safe = new string(reason.Select(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or ',' or ':' or '-' or '_' or '(' or ')' or '/' ? c : '_').ToArray());
        safe = safe.Length > 200 ? safe[..200] : safe;
        var output = await RunOnManagementAsync(layout,
            $"sudo -n scontrol update nodename={target.Name} state={state} reason='vhpc: {safe}'", SlurmCommandTimeout, cancellationToken).ConfigureAwait(false);
        return output is null ? "the management node could not run scontrol" : null;
    }

    /// <summary>Runs a command as the cluster user on the management node; its output, or null when it could not run or failed.</summary>
    private async Task<string?> RunOnManagementAsync(ClusterLayout layout, string command, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (ssh is null)
        {
            return null;
        }

        var state = new ClusterStateDirectory(_guests.StateRoot, layout.Cluster);
        var management = layout.Management;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            var result = await ssh.RunAsync(new SshTarget(management.Address.ToString(), GuestStatusProbe.SshPort, layout.Spec.User.Name,
                state.PrivateKeyPath, state.KnownHostsPath, management.Name), command, timeout.Token).ConfigureAwait(false);
            if (result.ExitStatus == 0)
            {
                return result.StandardOutput;
            }

            Log.ManagementCommandFailed(logger, layout.Cluster, command.Split(' ')[0], result.ExitStatus ?? -1, result.StandardError.Trim());
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ManagementCommandFailed(logger, layout.Cluster, command.Split(' ')[0], -1, e.Message);
            return null;
        }
    }

    private static ClusterNode OnDemandWorker(ClusterLayout layout, string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return layout.OnDemandWorkers.FirstOrDefault(n => n.Name == node)
            ?? throw new ArgumentException($"{node} is not an on-demand worker of cluster {layout.Cluster}", nameof(node));
    }

    private static Activity? PowerSpan(string name, string cluster, string node)
    {
        var activity = VhpcTelemetry.ActivitySource.StartActivity(name);
        activity?.SetTag("vhpc.cluster", cluster);
        activity?.SetTag("vhpc.node", node);
        return activity;
    }

    private static void EndPowerSpan(Activity? activity, string operation, NodePowerResult result)
    {
        var outcome = result.Succeeded ? "ok" : "error";
        activity?.SetTag("vhpc.outcome", outcome);
        activity?.SetTag("vhpc.power.changed", result.PoweredChanged);
        activity?.SetTag("vhpc.power.configured", result.Configured);
        if (!result.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }

        VhpcTelemetry.ProvisioningDuration.Record(result.Duration.TotalSeconds,
            new KeyValuePair<string, object?>("step", operation), new KeyValuePair<string, object?>("outcome", outcome));
    }
}
