using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Guests.Leases;
using Vhpc.Engine.Guests.Ssh;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Reconcile;

namespace Vhpc.Engine.Guests.Nodes;

/// <summary>
/// The engine's readiness step for one booted node: its DHCP lease (fixed address), then SSH with
/// the cluster key, cloud-init done and the right hostname. Reports the Lease and Ssh steps.
/// </summary>
public sealed class GuestNodeReadiness(
    IOptions<GuestsOptions> options,
    ClusterKeySource keys,
    ISshConnector connector,
    TimeProvider time,
    ILoggerFactory loggers) : INodeReadiness
{
    public async Task<NodeReadinessResult> WaitUntilReadyAsync(NodeReadinessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var node = request.Node;
        var cluster = request.Layout.Cluster;
        var state = new ClusterStateDirectory(settings.StateRoot, cluster);

        // Node and step become journal fields of everything logged while waiting (leases, SSH attempts).
        var logger = loggers.CreateLogger<GuestNodeReadiness>();
        LeaseWaitResult lease;
        using (GuestsLog.NodeStepScope(logger, node.Name, ProvisioningStep.Lease))
        {
            Report(request, ProvisioningStep.Lease, StepState.Started);
            var leaseWaiter = new LeaseWaiter(new LibvirtLeaseSource(request.Connection), new LibvirtDomainWatcher(request.Connection),
                settings.Lease, time, loggers.CreateLogger<LeaseWaiter>());
            try
            {
                lease = await leaseWaiter.WaitAsync(new LeaseWaitRequest(node.Name, node.Name, request.Layout.NetworkName, node.Mac, node.Address,
                    node.ConsoleLogPath, settings.LeaseTimeout), cancellationToken).ConfigureAwait(false);
            }
            catch (LeaseWaitException e)
            {
                Report(request, ProvisioningStep.Lease, StepState.Failed, message: e.Message);
                return new NodeReadinessResult(false, null, e.Message.Split("\n--- console tail ---", 2)[0], e.ConsoleTail);
            }
        }

        Report(request, ProvisioningStep.Lease, StepState.Succeeded, lease.Elapsed, lease.Address.ToString());

        using var sshScope = GuestsLog.NodeStepScope(logger, node.Name, ProvisioningStep.Ssh);
        Report(request, ProvisioningStep.Ssh, StepState.Started);
        var target = new SshTarget(lease.Address.ToString(), 22, request.Spec.User.Name, keys.PrivateKeyPath(request.Spec),
            state.KnownHostsPath, node.Fqdn);
        ForgetHostKeyOfReplacedDisk(state, node.Name, node.DiskHash, target);
        var waiter = new SshReadinessWaiter(connector, settings.Ssh, time, loggers.CreateLogger<SshReadinessWaiter>());
        try
        {
            var ready = await waiter.WaitAsync(target, cancellationToken).ConfigureAwait(false);
            Report(request, ProvisioningStep.Ssh, StepState.Succeeded, ready.Elapsed,
                string.Join("; ", ready.Checks.Select(c => $"{c.Key}: {c.Value}")));
            return new NodeReadinessResult(true, lease.Address);
        }
        catch (Exception e) when (e is GuestNotReadyException or HostKeyMismatchException or ReadinessCheckFailedException)
        {
            Report(request, ProvisioningStep.Ssh, StepState.Failed, message: e.Message);
            return new NodeReadinessResult(false, lease.Address, e.Message,
                ConsoleLogTail.Read(node.ConsoleLogPath, settings.Lease.ConsoleTailLines));
        }
    }

    /// <summary>
    /// A node whose disk vhpcd created anew has new host keys: only then is its recorded key dropped
    /// (a changed key on the same disk stays a mismatch). The marker names the disk the key belongs to.
    /// </summary>
    private static void ForgetHostKeyOfReplacedDisk(ClusterStateDirectory state, string node, string diskHash, SshTarget target)
    {
        var marker = state.HostKeyDiskMarkerPath(node);
        var recordedFor = File.Exists(marker) ? File.ReadAllText(marker).Trim() : null;
        if (recordedFor == diskHash)
        {
            return;
        }

        new KnownHostsFile(target.KnownHostsPath).Forget(target.Host, target.Port);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        var temporary = marker + ".tmp";
        File.WriteAllText(temporary, diskHash + "\n");
        File.Move(temporary, marker, overwrite: true);
    }

    private void Report(NodeReadinessRequest request, ProvisioningStep step, StepState stateOfStep, TimeSpan? elapsed = null, string? message = null) =>
        request.Progress.Report(new ProgressEvent(time.GetUtcNow(), request.Layout.Cluster, request.Node.Name, step, stateOfStep, elapsed, message));
}
