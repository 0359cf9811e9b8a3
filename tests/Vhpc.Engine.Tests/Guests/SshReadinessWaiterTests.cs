using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Renci.SshNet.Common;
using Vhpc.Guests.Ssh;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>The retry policy in fake time: backoff bounded by MaxDelay, the auth grace window, the deadline.</summary>
[Tier(TestTier.Unit)]
public sealed class SshReadinessWaiterTests
{
    private static readonly SshTarget Target = new("10.203.0.11", 22, "vhpc", "/k", "/kh", "node-1.vtg.test");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 19, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<SshReadinessWaiter> _log = new();

    private SshReadinessWaiter Waiter(ISshConnector connector, TimeSpan? timeout = null) => new(connector, new SshReadinessOptions
    {
        Timeout = timeout ?? TimeSpan.FromMinutes(10),
        InitialDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(10),
        AuthenticationGraceWindow = TimeSpan.FromMinutes(2),
        // Pinned jitter: the schedule is random in production; the test must not be.
        Randomizer = new Random(20261127).NextDouble,
    }, _time, _log);

    [Fact]
    public async Task Refused_connections_back_off_exponentially_up_to_the_max_delay_then_succeed()
    {
        var connector = new ScriptedConnector(attempt => attempt <= 12 ? new SocketException((int)SocketError.ConnectionRefused) : null);

        var ready = await CompleteAsync(Waiter(connector).WaitAsync(Target, CancellationToken.None));

        Assert.Equal(13, ready.Attempts);
        var delays = _log.States.Where(s => s.Id.Id == 3020).Select(s => (TimeSpan)s.Values["Delay"]!).ToList();
        Assert.Equal(12, delays.Count);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(10)));
        Assert.True(delays.Skip(6).All(d => d > TimeSpan.FromSeconds(2)), string.Join(", ", delays)); // grew, jittered
        Assert.Equal(["cloud-init", "hostname"], ready.Checks.Select(c => c.Key));
    }

    [Fact]
    public async Task A_rejected_key_is_retried_for_the_grace_window_only()
    {
        var connector = new ScriptedConnector(_ => new SshAuthenticationException("Permission denied (publickey)."));

        var error = await Assert.ThrowsAsync<GuestNotReadyException>(() => CompleteAsync(Waiter(connector).WaitAsync(Target, CancellationToken.None)));

        Assert.Contains("still rejected for user vhpc 120 s after the first rejection", error.Message, StringComparison.Ordinal);
        Assert.InRange(_time.GetUtcNow() - new DateTimeOffset(2026, 11, 27, 19, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2.5));
        Assert.InRange(connector.Attempts, 10, 25);
    }

    [Fact]
    public async Task A_host_key_mismatch_is_never_retried()
    {
        var connector = new ScriptedConnector(_ => new HostKeyMismatchException("changed"));

        await Assert.ThrowsAsync<HostKeyMismatchException>(() => CompleteAsync(Waiter(connector).WaitAsync(Target, CancellationToken.None)));

        Assert.Equal(1, connector.Attempts);
    }

    [Fact]
    public async Task An_unreachable_guest_fails_at_the_deadline_with_the_last_error()
    {
        var connector = new ScriptedConnector(_ => new SocketException((int)SocketError.HostUnreachable));

        var error = await Assert.ThrowsAsync<GuestNotReadyException>(() => CompleteAsync(Waiter(connector, TimeSpan.FromMinutes(3)).WaitAsync(Target, CancellationToken.None)));

        Assert.Contains("vhpc@10.203.0.11 (node-1.vtg.test) was not SSH-ready after 180 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("HostUnreachable", error.Message, StringComparison.Ordinal);
        Assert.IsType<SocketException>(error.InnerException);
    }

    private async Task<T> CompleteAsync<T>(Task<T> task)
    {
        for (var i = 0; i < 4000 && !task.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        Assert.True(task.IsCompleted, "the wait did not end within ~16 minutes of fake time");
        return await task;
    }

    private sealed class ScriptedConnector(Func<int, Exception?> failure) : ISshConnector
    {
        public int Attempts { get; private set; }

        public Task<ISshSession> ConnectAsync(SshTarget target, CancellationToken cancellationToken)
        {
            Attempts++;
            return failure(Attempts) is { } error ? Task.FromException<ISshSession>(error) : Task.FromResult<ISshSession>(new ScriptedSession(target));
        }
    }

    private sealed class ScriptedSession(SshTarget target) : ISshSession
    {
        public SshTarget Target { get; } = target;

        public Task<SshCommandResult> RunAsync(string command, CancellationToken cancellationToken) => Task.FromResult(command switch
        {
            CloudInitStatusCheck.DefaultCommand => new SshCommandResult(0, "status: done\n", string.Empty),
            HostnameCheck.Command => new SshCommandResult(0, "node-1\nnode-1.vtg.test\n", string.Empty),
            _ => new SshCommandResult(127, string.Empty, "unknown"),
        });

        public void Dispose()
        {
        }
    }
}
