using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vhpc.Guests.Addresses;
using Vhpc.Guests.Leases;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>
/// Issue 16, the address check that replaces the lease wait on bridge-mode networks: fake probes, a
/// fake neighbour table, a fake domain and fake time.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class FixedAddressWaiterTests
{
    private const string Mac = "52:54:00:ab:cd:01";
    private static readonly IPAddress Address = IPAddress.Parse("10.219.7.3");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeProbe _probe = new();
    private readonly FakeNeighbours _neighbours = new();
    private readonly FakeDomains _domains = new();
    private readonly ListLogger<FixedAddressWaiter> _log = new();

    private FixedAddressWaiter Waiter() =>
        new(_probe, _neighbours, _domains, new LeaseWaitOptions { PollInterval = TimeSpan.FromSeconds(1) }, _time, _log, consoleTailLines: 10);

    private static LeaseWaitRequest Request(int timeoutSeconds = 60, string? consoleLog = null) =>
        new("vtf-w-01", "vtf-w-01", "vtf-net", Mac, Address, consoleLog, TimeSpan.FromSeconds(timeoutSeconds));

    [Fact]
    public async Task Silence_keeps_waiting_and_a_refused_port_from_the_nodes_mac_is_the_node()
    {
        var waiting = Waiter().WaitAsync(Request(), CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.False(waiting.IsCompleted);
        Assert.True(_probe.Calls >= 3, $"only {_probe.Calls} probes in 5 s");

        _neighbours.Mac = "52:54:00:AB:CD:01";
        _probe.Answer = AddressAnswer.Refused;
        var result = await CompleteAsync(waiting);

        Assert.Equal(Address, result.Address);
        Assert.Equal("10.219.7.3 answers (port 22 not yet open, from the node's MAC)", result.Detail);
        Assert.All(_probe.Endpoints, e => Assert.Equal(new IPEndPoint(Address, 22), e));
        Assert.Contains(_log.Entries, e => e.Id.Id == 3110);
    }

    [Fact]
    public async Task Without_a_neighbour_entry_an_answer_is_taken_and_the_detail_says_the_mac_was_not_checked()
    {
        _probe.Answer = AddressAnswer.Accepted;

        var result = await CompleteAsync(Waiter().WaitAsync(Request(), CancellationToken.None));

        Assert.Equal("10.219.7.3 answers (port 22 open, not on this machine's segment: MAC not checked)", result.Detail);
    }

    [Fact]
    public async Task An_address_that_keeps_answering_from_another_mac_fails_the_node_naming_that_mac()
    {
        _probe.Answer = AddressAnswer.Accepted;
        _neighbours.Mac = "52:54:00:99:99:99";

        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(Waiter().WaitAsync(Request(), CancellationToken.None)));

        Assert.Equal(LeaseWaitFailure.AddressMismatch, error.Failure);
        Assert.Contains("answers from MAC 52:54:00:99:99:99 (3 times in a row)", error.Message, StringComparison.Ordinal);
        Assert.Equal(FixedAddressWaiter.MismatchesToFail, _probe.Calls);
        Assert.Contains(_log.Entries, e => e.Id.Id == 3111);
    }

    [Fact]
    public async Task A_stale_neighbour_entry_that_is_replaced_in_time_does_not_fail_the_node()
    {
        _probe.Answer = AddressAnswer.Accepted;
        _neighbours.Mac = "52:54:00:99:99:99";
        var waiting = Waiter().WaitAsync(Request(), CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);

        _neighbours.Mac = Mac;
        var result = await CompleteAsync(waiting);

        Assert.Equal(Address, result.Address);
    }

    [Fact]
    public async Task Nothing_answering_times_out_with_the_probes_and_what_bridge_mode_needs()
    {
        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(Waiter().WaitAsync(Request(timeoutSeconds: 20), CancellationToken.None)));

        Assert.Equal(LeaseWaitFailure.TimedOut, error.Failure);
        Assert.Contains("did not answer at its fixed address 10.219.7.3 within 20 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("bridge mode", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_that_stops_ends_the_wait_at_once_with_its_console_tail()
    {
        using var directory = new TempDirectory();
        var console = directory.File("console.log");
        await File.WriteAllTextAsync(console, "Kernel panic - not syncing\n");
        var waiting = Waiter().WaitAsync(Request(consoleLog: console), CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(2));

        _domains.Stop("crashed");
        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(waiting));

        Assert.Equal(LeaseWaitFailure.DomainStopped, error.Failure);
        Assert.Contains("crashed while waiting for its fixed address 10.219.7.3", error.Message, StringComparison.Ordinal);
        Assert.Contains("Kernel panic", error.ConsoleTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_that_is_not_running_fails_before_any_probe()
    {
        _domains.NotRunning = "is shut off";

        var error = await Assert.ThrowsAsync<LeaseWaitException>(() => CompleteAsync(Waiter().WaitAsync(Request(), CancellationToken.None)));

        Assert.Equal(LeaseWaitFailure.DomainStopped, error.Failure);
        Assert.Equal(0, _probe.Calls);
    }

    [Fact]
    public void The_arp_table_gives_only_complete_entries_in_lowercase()
    {
        string[] table =
        [
            "IP address       HW type     Flags       HW address            Mask     Device",
            "10.219.7.4       0x1         0x0         00:00:00:00:00:00     *        vtp1",
            "10.219.7.3       0x1         0x2         52:54:00:AB:CD:01     *        vtp1",
        ];

        Assert.Equal("52:54:00:ab:cd:01", ProcNetArpTable.Find(table, Address));
        Assert.Null(ProcNetArpTable.Find(table, IPAddress.Parse("10.219.7.4")));
        Assert.Null(ProcNetArpTable.Find(table, IPAddress.Parse("10.219.7.5")));
        Assert.Null(new ProcNetArpTable("/nonexistent/arp").MacOf(Address));
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

    private sealed class FakeProbe : IAddressProbe
    {
        private int _calls;

        public AddressAnswer Answer { get; set; } = AddressAnswer.Silent;

        public int Calls => Volatile.Read(ref _calls);

        public ConcurrentQueue<IPEndPoint> Endpoints { get; } = new();

        public Task<AddressAnswer> ProbeAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Endpoints.Enqueue(endpoint);
            return Task.FromResult(Answer);
        }
    }

    private sealed class FakeNeighbours : INeighbourTable
    {
        public string? Mac { get; set; }

        public string? MacOf(IPAddress address) => Mac?.ToLowerInvariant();
    }

    private sealed class FakeDomains : IDomainWatcher
    {
        private readonly List<Action<string>> _handlers = [];

        public string? NotRunning { get; set; }

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
