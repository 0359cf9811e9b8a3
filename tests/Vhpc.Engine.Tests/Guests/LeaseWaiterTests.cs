using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vhpc.Guests.Leases;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>The lease-waiting logic with fake leases, a fake domain and fake time.</summary>
[Tier(TestTier.Unit)]
public sealed class LeaseWaiterTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 19, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly FakeLeases _leases = new();
    private readonly FakeDomains _domains = new();
    private readonly ListLogger<LeaseWaiter> _log = new();

    private LeaseWaiter Waiter(IConsoleLogSource? consoleLogs = null) => new(_leases, _domains, new LeaseWaitOptions(), _time, _log, ConsoleLogTail.DefaultLines, consoleLogs);

    private static LeaseWaitRequest Request(IPAddress? expected = null, ConsoleLogVolume? consoleLog = null, int timeoutSeconds = 60) =>
        new("node-1", "vtg-c-node-1", "vtg-net", "52:54:00:ab:cd:01", expected, consoleLog, TimeSpan.FromSeconds(timeoutSeconds));

    private static GuestLease Lease(string mac, string address, TimeSpan expiresIn) =>
        new(mac, IPAddress.Parse(address), Start + expiresIn, "node-1");

    [Fact]
    public async Task Returns_the_lease_once_it_appears_matching_the_mac_case_insensitively()
    {
        _leases.Current = [Lease("52:54:00:AB:CD:02", "10.203.0.30", TimeSpan.FromHours(1))];
        var waiting = Waiter().WaitAsync(Request(), CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.False(waiting.IsCompleted);

        _leases.Current = [.. _leases.Current, Lease("52:54:00:AB:CD:01", "10.203.0.31", TimeSpan.FromHours(1))];
        var result = await CompleteAsync(waiting);

        Assert.Equal(IPAddress.Parse("10.203.0.31"), result.Address);
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12));
        Assert.Contains(_log.Entries, e => e.Id.Id == 3100);
    }

    [Fact]
    public async Task Among_several_leases_of_the_mac_the_newest_unexpired_one_wins()
    {
        _leases.Current =
        [
            Lease("52:54:00:ab:cd:01", "10.203.0.20", TimeSpan.FromMinutes(30)),
            Lease("52:54:00:ab:cd:01", "10.203.0.22", -TimeSpan.FromMinutes(5)),
            Lease("52:54:00:AB:CD:01", "10.203.0.21", TimeSpan.FromMinutes(50)),
        ];

        var result = await CompleteAsync(Waiter().WaitAsync(Request(), CancellationToken.None));

        Assert.Equal(IPAddress.Parse("10.203.0.21"), result.Address);
    }

    [Fact]
    public async Task Only_expired_leases_keep_waiting()
    {
        _leases.Current = [Lease("52:54:00:ab:cd:01", "10.203.0.20", -TimeSpan.FromMinutes(1))];

        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(Waiter().WaitAsync(Request(timeoutSeconds: 20), CancellationToken.None)));

        Assert.Equal(LeaseWaitFailure.TimedOut, error.Failure);
        Assert.Contains("10.203.0.20 (expiry 2026-11-27 18:59:00Z, expired)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_fixed_address_a_stale_lease_for_another_address_is_ignored()
    {
        _leases.Current = [Lease("52:54:00:ab:cd:01", "10.203.0.99", TimeSpan.FromMinutes(30))];
        var waiting = Waiter().WaitAsync(Request(IPAddress.Parse("10.203.0.11")), CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.False(waiting.IsCompleted);

        _leases.Current = [.. _leases.Current, Lease("52:54:00:ab:cd:01", "10.203.0.11", TimeSpan.FromMinutes(60))];
        var result = await CompleteAsync(waiting);

        Assert.Equal(IPAddress.Parse("10.203.0.11"), result.Address);
    }

    [Fact]
    public async Task With_a_fixed_address_a_fresh_lease_for_another_address_is_a_clear_mismatch()
    {
        var waiting = Waiter().WaitAsync(Request(IPAddress.Parse("10.203.0.11")), CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(3));
        _leases.Current = [Lease("52:54:00:ab:cd:01", "10.203.0.150", TimeSpan.FromMinutes(60))];

        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(waiting));

        Assert.Equal(LeaseWaitFailure.AddressMismatch, error.Failure);
        Assert.Contains("Node node-1 (MAC 52:54:00:ab:cd:01) got address 10.203.0.150", error.Message, StringComparison.Ordinal);
        Assert.Contains("fixed DHCP host entry says 10.203.0.11", error.Message, StringComparison.Ordinal);
        Assert.InRange(_time.GetUtcNow() - Start, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_domain_that_stops_fails_fast_with_its_console_tail()
    {
        using var temp = new TempDirectory("vtg-console-");
        var console = temp.File("console.log");
        await File.WriteAllTextAsync(console, string.Join("\r\n", Enumerable.Range(1, 100).Select(i => $"\u001b[0;32mline {i}\u001b[0m")) + "\r\nKernel panic - not syncing: VFS\r\n");
        var waiting = Waiter(new FileConsoleLogs(temp.Path)).WaitAsync(Request(consoleLog: FileConsoleLogs.Of(console), timeoutSeconds: 600), CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(4));

        _domains.Stop("crashed (guest panic)");
        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(waiting));

        Assert.Equal(LeaseWaitFailure.DomainStopped, error.Failure);
        Assert.Contains("Node node-1 (domain vtg-c-node-1, MAC 52:54:00:ab:cd:01) crashed (guest panic)", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.ConsoleTail);
        Assert.EndsWith("Kernel panic - not syncing: VFS", error.ConsoleTail, StringComparison.Ordinal);
        Assert.StartsWith("line 72", error.ConsoleTail, StringComparison.Ordinal); // 30 lines, escapes removed
        Assert.DoesNotContain("\u001b", error.ConsoleTail, StringComparison.Ordinal);
        Assert.InRange(_time.GetUtcNow() - Start, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(0, _domains.Subscribers);
    }

    [Fact]
    public async Task After_a_stop_the_console_tail_is_read_once_the_log_stops_growing()
    {
        using var temp = new TempDirectory("vtg-console-");
        var console = temp.File("console.log");
        await File.WriteAllTextAsync(console, "booting\r\n");
        var waiting = Waiter(new FileConsoleLogs(temp.Path)).WaitAsync(Request(consoleLog: FileConsoleLogs.Of(console), timeoutSeconds: 600), CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(2));

        // virtlogd still writes qemu's last lines after the stop event: one every 50 ms for 600 ms, past the 300 ms settle delay.
        _domains.Stop("was destroyed");
        for (var i = 1; i <= 12; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await File.AppendAllTextAsync(console, $"late line {i}\r\n");
            await Task.Delay(5);
        }

        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(waiting));

        Assert.Equal(LeaseWaitFailure.DomainStopped, error.Failure);
        Assert.EndsWith("late line 11\nlate line 12", error.ConsoleTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_that_is_not_running_fails_at_once()
    {
        _domains.NotRunning = "is shut off";
        _leases.Current = [Lease("52:54:00:ab:cd:01", "10.203.0.20", TimeSpan.FromMinutes(30))];

        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(Waiter().WaitAsync(Request(), CancellationToken.None)));

        Assert.Equal(LeaseWaitFailure.DomainStopped, error.Failure);
        Assert.Contains("is shut off", error.Message, StringComparison.Ordinal);
        Assert.Contains("(the domain has no console log)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_lease_times_out_naming_the_node_the_mac_and_what_was_seen()
    {
        _leases.Current = [Lease("52:54:00:ab:cd:99", "10.203.0.40", TimeSpan.FromMinutes(30))];

        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(Waiter().WaitAsync(Request(timeoutSeconds: 30), CancellationToken.None)));

        Assert.Equal(LeaseWaitFailure.TimedOut, error.Failure);
        Assert.Equal("node-1", error.NodeName);
        Assert.Contains("Node node-1 (domain vtg-c-node-1, MAC 52:54:00:ab:cd:01) got no DHCP lease on network vtg-net within 30 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("leases seen for this MAC: none", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("10.203.0.40", error.Message, StringComparison.Ordinal);
        // Polled every 1.5 s, not in a tight loop.
        Assert.InRange(_leases.Calls, 18, 22);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_reported_as_a_timeout()
    {
        using var cancel = new CancellationTokenSource();
        var waiting = Waiter().WaitAsync(Request(), cancel.Token);
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CompleteAsync(waiting));
    }

    [Fact]
    public void Console_tail_keeps_the_last_lines_without_control_characters()
    {
        var tail = ConsoleLogTail.Clean("a\r\n\u001b[1;31mb\u001b[0m\r\n\u0007c\n\n", 2);
        Assert.Equal("b\nc", tail);
        Assert.Equal("(the console log is empty)", ConsoleLogTail.Clean("\u001b[2J\r\n", 5));
    }

    private async Task AdvanceAsync(TimeSpan total)
    {
        var step = TimeSpan.FromMilliseconds(250);
        for (var done = TimeSpan.Zero; done < total; done += step)
        {
            _time.Advance(step);
            await Task.Delay(2);
        }
    }

    /// <summary>Advances fake time until the task ends (bounded: 15 fake minutes).</summary>
    private async Task<T> CompleteAsync<T>(Task<T> task)
    {
        for (var i = 0; i < 3600 && !task.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(2);
        }

        Assert.True(task.IsCompleted, "the wait did not end within 15 minutes of fake time");
        return await task;
    }

    private sealed class FakeLeases : ILeaseSource
    {
        public IReadOnlyList<GuestLease> Current { get; set; } = [];

        public int Calls { get; private set; }

        public IReadOnlyList<GuestLease> GetLeases(string networkName)
        {
            Assert.Equal("vtg-net", networkName);
            Calls++;
            return Current;
        }
    }

    private sealed class FakeDomains : IDomainWatcher
    {
        private readonly List<Action<string>> _handlers = [];

        public string? NotRunning { get; set; }

        public int Subscribers
        {
            get
            {
                lock (_handlers)
                {
                    return _handlers.Count;
                }
            }
        }

        public string? WhyNotRunning(string domainName) => NotRunning;

        public IDisposable SubscribeStopped(string domainName, Action<string> onStopped)
        {
            lock (_handlers)
            {
                _handlers.Add(onStopped);
            }

            return new Unsubscribe(() =>
            {
                lock (_handlers)
                {
                    _handlers.Remove(onStopped);
                }
            });
        }

        public void Stop(string reason)
        {
            Action<string>[] handlers;
            lock (_handlers)
            {
                handlers = [.. _handlers];
            }

            foreach (var handler in handlers)
            {
                handler(reason);
            }
        }

        private sealed class Unsubscribe(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }
}
