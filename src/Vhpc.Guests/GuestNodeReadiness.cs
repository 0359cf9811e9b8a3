using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Telemetry;
using Vhpc.Guests.Addresses;
using Vhpc.Guests.Leases;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;

namespace Vhpc.Guests;

/// <summary>
/// The engine's readiness step for one booted node: its DHCP lease (fixed address) on a NAT network, or
/// on a bridge-mode network its fixed address answering from its MAC (<see cref="FixedAddressWaiter"/>);
/// then SSH with the cluster key, cloud-init done and the right hostname. Reports the Lease and Ssh steps.
/// </summary>
internal sealed class GuestNodeReadiness(
    IOptions<GuestsOptions> options,
    ClusterKeySource keys,
    ISshConnector connector,
    IAddressProbe addresses,
    INeighbourTable neighbours,
    TimeProvider time,
    ILoggerFactory loggers) : INodeReadiness
{
    private readonly ILogger _logger = loggers.CreateLogger<GuestNodeReadiness>();

    public async Task<NodeReadinessResult> WaitUntilReadyAsync(NodeReadinessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var node = request.Node;
        var cluster = request.Layout.Cluster;
        var state = new ClusterStateDirectory(settings.StateRoot, cluster);

        // Node and step become journal fields of everything logged while waiting (leases, SSH attempts).
        var logger = _logger;
        LeaseWaitResult lease;
        long leaseStarted;
        using (LogScopes.Step(logger, node.Name, ProvisioningStep.Lease))
        {
            using var span = StartSpan(request, ProvisioningStep.Lease);
            Report(request, ProvisioningStep.Lease, StepState.Started);
            leaseStarted = time.GetTimestamp();
            try
            {
                lease = await WaitForLeaseAsync(request, settings, leaseStarted, cancellationToken).ConfigureAwait(false);
            }
            catch (LeaseWaitException e)
            {
                EndSpan(span, ProvisioningStep.Lease, leaseStarted, ok: false);
                Report(request, ProvisioningStep.Lease, StepState.Failed, message: e.Message);
                return new NodeReadinessResult(false, null, e.Message.Split("\n--- console tail ---", 2)[0], e.ConsoleTail);
            }

            EndSpan(span, ProvisioningStep.Lease, leaseStarted, ok: true);
        }

        Report(request, ProvisioningStep.Lease, StepState.Succeeded, time.GetElapsedTime(leaseStarted), lease.Detail ?? lease.Address.ToString());

        if (!settings.WaitForSsh)
        {
            var address = lease.Address.ToString();
            Log.SshWaitSkipped(_logger, node.Name, address);
            Report(request, ProvisioningStep.Ssh, StepState.Skipped, message: "SSH readiness is switched off (Guests.WaitForSsh = false)");
            return new NodeReadinessResult(true, lease.Address);
        }

        using var sshScope = LogScopes.Step(logger, node.Name, ProvisioningStep.Ssh);
        using var sshSpan = StartSpan(request, ProvisioningStep.Ssh);
        var sshStarted = time.GetTimestamp();
        Report(request, ProvisioningStep.Ssh, StepState.Started);
        var target = new SshTarget(lease.Address.ToString(), 22, request.Spec.User.Name, keys.PrivateKeyPath(request.Spec),
            state.KnownHostsPath, node.Fqdn);
        ForgetHostKeyOfReplacedDisk(state, node.Name, node.DiskHash, target);
        var waiter = new SshReadinessWaiter(connector, settings.Ssh, time, loggers.CreateLogger<SshReadinessWaiter>());
        try
        {
            var ready = await waiter.WaitAsync(target, cancellationToken).ConfigureAwait(false);
            EndSpan(sshSpan, ProvisioningStep.Ssh, sshStarted, ok: true);
            Report(request, ProvisioningStep.Ssh, StepState.Succeeded, ready.Elapsed,
                string.Join("; ", ready.Checks.Select(c => $"{c.Key}: {c.Value}")));
            return new NodeReadinessResult(true, lease.Address);
        }
        catch (Exception e) when (e is GuestNotReadyException or HostKeyMismatchException or ReadinessCheckFailedException)
        {
            EndSpan(sshSpan, ProvisioningStep.Ssh, sshStarted, ok: false);
            Report(request, ProvisioningStep.Ssh, StepState.Failed, message: e.Message);
            return new NodeReadinessResult(false, lease.Address, e.Message,
                ConsoleLogTail.Read(node.ConsoleLogPath, settings.ConsoleTailLines));
        }
    }

    /// <summary>
    /// Waits for the node's lease on the request's connection. When that connection is lost (libvirtd
    /// restarted; running guests survive that), the wait goes on over a new one: lease polling and the
    /// lifecycle subscription (which died with the old connection) move to it, and the state check
    /// right after subscribing catches a domain that stopped meanwhile. The node's lease timeout
    /// bounds the whole wait, reconnects included.
    /// </summary>
    private async Task<LeaseWaitResult> WaitForLeaseAsync(NodeReadinessRequest request, GuestsOptions settings, long started,
        CancellationToken cancellationToken)
    {
        var node = request.Node;
        var logger = loggers.CreateLogger<LeaseWaiter>();
        IHypervisorView? reconnected = null;
        try
        {
            var hypervisor = request.Hypervisor;
            while (true)
            {
                var remaining = settings.LeaseTimeout - time.GetElapsedTime(started);
                string lost;
                try
                {
                    // WaitAsync subscribes to stop events and checks the domain's state before its first await.
                    var waitRequest = new LeaseWaitRequest(node.Name, node.Name, request.Layout.NetworkName, node.Mac, node.Address,
                        node.ConsoleLogPath, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                    var wait = request.Layout.IsBridged
                        ? new FixedAddressWaiter(addresses, neighbours, hypervisor, settings.Lease, time, loggers.CreateLogger<FixedAddressWaiter>(),
                            settings.ConsoleTailLines).WaitAsync(waitRequest, cancellationToken)
                        : new LeaseWaiter(hypervisor, hypervisor, settings.Lease, time, logger, settings.ConsoleTailLines).WaitAsync(waitRequest, cancellationToken);
                    if (reconnected is not null)
                    {
                        Log.LeaseWaitResumed(logger, node.Name);
                    }

                    return await wait.ConfigureAwait(false);
                }
                catch (HypervisorConnectionLostException e) when (request.Reconnect is not null)
                {
                    lost = e.Message;
                }

                Log.LeaseWaitReconnecting(logger, node.Name, lost);
                reconnected?.Dispose();
                reconnected = null;
                while (reconnected is null)
                {
                    try
                    {
                        reconnected = await request.Reconnect(cancellationToken).ConfigureAwait(false);
                    }
                    catch (HypervisorConnectionLostException) when (time.GetElapsedTime(started) < settings.LeaseTimeout)
                    {
                        await Task.Delay(settings.ReconnectDelay, time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (HypervisorConnectionLostException e)
                    {
                        var waitingFor = request.Layout.IsBridged ? "its fixed address to answer" : "its DHCP lease";
                        var message = $"Node {node.Name}: the connection to libvirt was lost while waiting for {waitingFor} ({lost}) "
                            + $"and could not be reopened within the lease timeout of {settings.LeaseTimeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s: {e.Message}";
                        throw new LeaseWaitException(node.Name, node.Mac, LeaseWaitFailure.ConnectionLost, message,
                            ConsoleLogTail.Read(node.ConsoleLogPath, settings.ConsoleTailLines));
                    }
                }

                hypervisor = reconnected;
            }
        }
        finally
        {
            reconnected?.Dispose();
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
        AtomicFile.Write(marker, diskHash + "\n");
    }

    /// <summary>The step's span, a child of the apply's, with the node's role besides the common tags.</summary>
    private static Activity? StartSpan(NodeReadinessRequest request, ProvisioningStep step)
    {
        var activity = VhpcTelemetry.StartStep(request.Layout.Cluster, request.Node.Name, step);
        activity?.SetTag("vhpc.role", request.Node.Role.ToString().ToLowerInvariant());
        return activity;
    }

    private void EndSpan(Activity? activity, ProvisioningStep step, long started, bool ok) =>
        VhpcTelemetry.EndStep(activity, step, time.GetElapsedTime(started), ok);

    private void Report(NodeReadinessRequest request, ProvisioningStep step, StepState stateOfStep, TimeSpan? elapsed = null, string? message = null) =>
        request.Progress.Report(new ProgressEvent(time.GetUtcNow(), request.Layout.Cluster, request.Node.Name, step, stateOfStep, elapsed, message));
}
