using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Vhpc.Guests.Leases;

/// <summary>
/// Waits for a node's DHCP lease. A stopped, crashed or shut-down domain ends the wait at once
/// (lifecycle events, plus a state check right after subscribing so no stop is missed) with the
/// tail of its console log; leases are read every <see cref="LeaseWaitOptions.PollInterval"/>
/// because libvirt has no lease event. MACs match case-insensitively and, among several leases for
/// one MAC (stale ones survive reboots), the newest expiry wins.
/// </summary>
internal sealed class LeaseWaiter
{
    private readonly ILeaseSource _leases;
    private readonly IDomainWatcher _domains;
    private readonly LeaseWaitOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _consoleTailLines;

    /// <param name="consoleTailLines">Lines of the serial console log attached to a failure.</param>
    public LeaseWaiter(ILeaseSource leases, IDomainWatcher domains, LeaseWaitOptions options, TimeProvider timeProvider, ILogger<LeaseWaiter> logger,
        int consoleTailLines = ConsoleLogTail.DefaultLines)
    {
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _leases = leases;
        _domains = domains;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _consoleTailLines = consoleTailLines;
    }

    public async Task<LeaseWaitResult> WaitAsync(LeaseWaitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _timeProvider.GetTimestamp();
        var stopped = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _domains.SubscribeStopped(request.DomainName, reason => stopped.TrySetResult(reason));
        if (_domains.WhyNotRunning(request.DomainName) is { } notRunning)
        {
            stopped.TrySetResult(notRunning);
        }

        using var deadline = new CancellationTokenSource(request.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        HashSet<(IPAddress, DateTimeOffset)>? before = null;
        IReadOnlyList<GuestLease> seen = [];
        var polls = 0;

        while (true)
        {
            if (stopped.Task.IsCompleted)
            {
                throw await DomainStoppedAsync(request, await stopped.Task.ConfigureAwait(false), seen, cancellationToken).ConfigureAwait(false);
            }

            seen = ForMac(_leases.GetLeases(request.NetworkName), request.Mac);
            polls++;
            before ??= seen.Select(l => (l.Address, l.Expiry)).ToHashSet();
            var now = _timeProvider.GetUtcNow();
            var usable = seen.Where(l => IsCurrent(l, now)).OrderByDescending(l => l.Expiry).ToList();

            if (request.ExpectedAddress is { } expected)
            {
                if (usable.FirstOrDefault(l => l.Address.Equals(expected)) is { } match)
                {
                    return Found(request, match, started, polls);
                }

                // A lease granted during this wait with another address means the fixed host entry
                // is not in effect; stale leases from an earlier life of the MAC are ignored.
                if (usable.FirstOrDefault(l => !before.Contains((l.Address, l.Expiry))) is { } fresh)
                {
                    var message = $"Node {request.NodeName} (MAC {request.Mac}) got address {fresh.Address} from network "
                        + $"{request.NetworkName}, but its fixed DHCP host entry says {expected}; check the network's <host> entries.";
                    Log.LeaseWaitFailed(_logger, request.NodeName, request.Mac, message);
                    throw new LeaseWaitException(request.NodeName, request.Mac, LeaseWaitFailure.AddressMismatch, message, null);
                }
            }
            else if (usable.Count > 0)
            {
                return Found(request, usable[0], started, polls);
            }

            try
            {
                await Task.WhenAny(Task.Delay(_options.PollInterval, _timeProvider, linked.Token), stopped.Task).ConfigureAwait(false);
                linked.Token.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                var message = $"Node {request.NodeName} (domain {request.DomainName}, MAC {request.Mac}) got no "
                    + (request.ExpectedAddress is null ? "DHCP lease" : $"DHCP lease for {request.ExpectedAddress}")
                    + $" on network {request.NetworkName} within {request.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s "
                    + $"({polls} polls); leases seen for this MAC: {Describe(seen, now)}. The guest may not have booted or "
                    + "its DHCP client never asked (see its console log).";
                Log.LeaseWaitFailed(_logger, request.NodeName, request.Mac, message);
                var tail = ConsoleLogTail.Read(request.ConsoleLogPath, _consoleTailLines);
                throw new LeaseWaitException(request.NodeName, request.Mac, LeaseWaitFailure.TimedOut, message, tail);
            }
        }
    }

    /// <summary>Leases of one MAC, compared case-insensitively (dnsmasq and users differ in case).</summary>
    internal static List<GuestLease> ForMac(IEnumerable<GuestLease> leases, string mac) =>
        leases.Where(l => string.Equals(l.Mac, mac, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>libvirt reports expiry 0 for infinite leases.</summary>
    private static bool IsCurrent(GuestLease lease, DateTimeOffset now) =>
        lease.Expiry == DateTimeOffset.UnixEpoch || lease.Expiry > now;

    private LeaseWaitResult Found(LeaseWaitRequest request, GuestLease lease, long started, int polls)
    {
        var elapsed = _timeProvider.GetElapsedTime(started);
        var address = lease.Address.ToString();
        Log.LeaseObserved(_logger, request.NodeName, request.Mac, address, elapsed, polls);
        return new LeaseWaitResult(request.NodeName, lease.Address, lease.Expiry, lease.Hostname, elapsed);
    }

    private async Task<LeaseWaitException> DomainStoppedAsync(LeaseWaitRequest request, string reason, IReadOnlyList<GuestLease> seen, CancellationToken cancellationToken)
    {
        await SettleConsoleAsync(request.ConsoleLogPath, _options.ConsoleSettleDelay, _timeProvider, cancellationToken).ConfigureAwait(false);

        var message = $"Node {request.NodeName} (domain {request.DomainName}, MAC {request.Mac}) {reason} while waiting for its DHCP lease "
            + $"on network {request.NetworkName}; leases seen for this MAC: {Describe(seen, _timeProvider.GetUtcNow())}.";
        Log.LeaseWaitFailed(_logger, request.NodeName, request.Mac, message);
        var tail = ConsoleLogTail.Read(request.ConsoleLogPath, _consoleTailLines);
        return new LeaseWaitException(request.NodeName, request.Mac, LeaseWaitFailure.DomainStopped, message, tail);
    }

    /// <summary>
    /// After a domain stopped, virtlogd may still be writing the last lines qemu printed: wait
    /// <paramref name="settleDelay"/>, then until the log stops growing (checked every 100 ms, for at most a second more).
    /// </summary>
    internal static async Task SettleConsoleAsync(string? consoleLogPath, TimeSpan settleDelay, TimeProvider time, CancellationToken cancellationToken)
    {
        await Task.Delay(settleDelay, time, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < 10; i++)
        {
            var before = LengthOf(consoleLogPath);
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
            if (LengthOf(consoleLogPath) == before)
            {
                break;
            }
        }
    }

    private static long LengthOf(string? path)
    {
        try
        {
            return path is null ? -1 : new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static string Describe(IReadOnlyList<GuestLease> leases, DateTimeOffset now) =>
        leases.Count == 0
            ? "none"
            : string.Join(", ", leases.Select(l =>
                $"{l.Address} (expiry {l.Expiry.ToString("u", CultureInfo.InvariantCulture)}{(IsCurrent(l, now) ? string.Empty : ", expired")})"));
}
