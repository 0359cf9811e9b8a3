using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Vhpc.Guests.Leases;

namespace Vhpc.Guests.Addresses;

/// <summary>
/// The lease wait of a bridge-mode network, where libvirt runs no DHCP and the node's seed gives it its
/// fixed address: waits until that address answers (a TCP connection to port 22 accepted, or refused,
/// which only the holder of the address sends) and, when this machine's neighbour table has the address
/// (vhpcd on the same segment), until it answers from the node's MAC. An address that keeps answering
/// from another MAC is another machine's: the wait fails saying so rather than let SSH talk to it. A
/// stopped, crashed or shut-down domain ends the wait at once, as for a lease. SSH then confirms the node
/// (its host key, hostname and cloud-init), exactly as after a lease.
/// </summary>
internal sealed class FixedAddressWaiter(
    IAddressProbe probe,
    INeighbourTable neighbours,
    IDomainWatcher domains,
    LeaseWaitOptions options,
    TimeProvider time,
    ILogger logger,
    int consoleTailLines)
{
    public const int Port = 22;

    /// <summary>How long one probe waits for an answer.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Answers from a foreign MAC in a row before the wait gives up (a stale neighbour entry is replaced sooner).</summary>
    public const int MismatchesToFail = 3;

    public async Task<LeaseWaitResult> WaitAsync(LeaseWaitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var address = request.ExpectedAddress ?? throw new ArgumentException("a fixed address is needed", nameof(request));
        var started = time.GetTimestamp();
        var stopped = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = domains.SubscribeStopped(request.DomainName, reason => stopped.TrySetResult(reason));
        if (domains.WhyNotRunning(request.DomainName) is { } notRunning)
        {
            stopped.TrySetResult(notRunning);
        }

        using var deadline = new CancellationTokenSource(request.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var endpoint = new IPEndPoint(address, Port);
        var probes = 0;
        var mismatches = 0;
        var last = "no answer";
        while (true)
        {
            if (stopped.Task.IsCompleted)
            {
                var reason = await stopped.Task.ConfigureAwait(false);
                await LeaseWaiter.SettleConsoleAsync(request.ConsoleLogPath, options.ConsoleSettleDelay, time, cancellationToken).ConfigureAwait(false);
                throw Failure(request, LeaseWaitFailure.DomainStopped,
                    $"Node {request.NodeName} (domain {request.DomainName}, MAC {request.Mac}) {reason} while waiting for its fixed address {address} "
                    + $"to answer on network {request.NetworkName} (last probe: {last}).", withTail: true);
            }

            AddressAnswer answer;
            try
            {
                answer = await probe.ProbeAsync(endpoint, ProbeTimeout, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(request, address, probes, last);
            }

            probes++;
            if (answer != AddressAnswer.Silent)
            {
                var mac = neighbours.MacOf(address);
                if (mac is null || string.Equals(mac, request.Mac, StringComparison.OrdinalIgnoreCase))
                {
                    var elapsed = time.GetElapsedTime(started);
                    var text = address.ToString();
                    var how = $"{text} answers ({(answer == AddressAnswer.Accepted ? "port 22 open" : "port 22 not yet open")}, "
                        + (mac is null ? "not on this machine's segment: MAC not checked" : "from the node's MAC") + ")";
                    Log.AddressAnswered(logger, request.NodeName, request.Mac, text, mac is not null, elapsed, probes);
                    return new LeaseWaitResult(request.NodeName, address, DateTimeOffset.UnixEpoch, null, elapsed) { Detail = how };
                }

                last = $"answered from MAC {mac}";
                if (++mismatches >= MismatchesToFail)
                {
                    throw Failure(request, LeaseWaitFailure.AddressMismatch,
                        $"Node {request.NodeName} (MAC {request.Mac}): its fixed address {address} answers from MAC {mac} ({mismatches} times in a row): "
                        + $"another machine on the bridge of network {request.NetworkName} holds that address; free it or choose another network.cidr.",
                        withTail: false);
                }
            }
            else
            {
                mismatches = 0;
                last = "no answer";
            }

            try
            {
                await Task.WhenAny(Task.Delay(options.PollInterval, time, linked.Token), stopped.Task).ConfigureAwait(false);
                linked.Token.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(request, address, probes, last);
            }
        }
    }

    private LeaseWaitException TimedOut(LeaseWaitRequest request, IPAddress address, int probes, string last) =>
        Failure(request, LeaseWaitFailure.TimedOut,
            $"Node {request.NodeName} (domain {request.DomainName}, MAC {request.Mac}) did not answer at its fixed address {address} "
            + $"within {request.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s ({probes} probes of port {Port}; last: {last}). "
            + $"Network {request.NetworkName} is in bridge mode: the node's seed gives it the address, and the host bridge must reach "
            + "this machine (vhpcd's network namespace); see the node's console log.", withTail: true);

    private LeaseWaitException Failure(LeaseWaitRequest request, LeaseWaitFailure failure, string message, bool withTail)
    {
        Log.AddressWaitFailed(logger, request.NodeName, request.Mac, message);
        return new LeaseWaitException(request.NodeName, request.Mac, failure, message,
            withTail ? ConsoleLogTail.Read(request.ConsoleLogPath, consoleTailLines) : null);
    }
}
