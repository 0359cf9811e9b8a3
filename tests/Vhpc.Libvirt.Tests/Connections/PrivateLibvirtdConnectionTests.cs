using System.Collections.Concurrent;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.Connections;

/// <summary>The binding's close callback and keepalive against a private libvirtd that the test kills or freezes.</summary>
[Tier(TestTier.Libvirtd)]
public sealed class PrivateLibvirtdConnectionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void A_killed_daemon_raises_Closed_with_end_of_file_and_close_still_succeeds()
    {
        using var daemon = PrivateLibvirtd.Start();
        var connection = Connection.Open(daemon.TestDriverUri);
        var reasons = new BlockingCollection<ConnectionCloseReason>();
        connection.Closed += (_, e) => reasons.Add(e.Reason);
        _ = connection.SubscribeDomainLifecycle(_ => { });

        daemon.StopLibvirtd(kill: true);

        Assert.True(reasons.TryTake(out var reason, Patience), "no close callback after the daemon died");
        Assert.Equal(ConnectionCloseReason.EndOfFile, reason);
        Assert.False(connection.IsAlive);
        var error = Assert.Throws<LibvirtException>(() => connection.ListDomains());
        Assert.True(error.IsConnectionLost, $"{error.Code}/{error.Domain}: {error.Message}");

        // The subscription's remote deregistration fails on a dead daemon; Close must not.
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Closing_the_connection_from_inside_the_Closed_handler_does_not_deadlock()
    {
        using var daemon = PrivateLibvirtd.Start();
        var connection = Connection.Open(daemon.TestDriverUri);
        var results = new BlockingCollection<int>();
        connection.Closed += (_, _) => results.Add(connection.Close());

        daemon.StopLibvirtd(kill: true);

        Assert.True(results.TryTake(out var result, Patience), "the handler's Close did not return");
        Assert.True(result >= 0, $"virConnectClose returned {result}");
        Assert.Equal(result, connection.Close());
    }

    [Fact]
    public async Task Keepalive_closes_the_connection_to_a_frozen_daemon_and_ends_a_blocked_call()
    {
        using var daemon = PrivateLibvirtd.Start();
        var connection = Connection.Open(daemon.TestDriverUri);
        var reasons = new BlockingCollection<ConnectionCloseReason>();
        connection.Closed += (_, e) => reasons.Add(e.Reason);
        Assert.True(connection.SetKeepAlive(1, 2));

        daemon.SignalLibvirtd("STOP");
        try
        {
            // This call would wait forever for a frozen daemon; keepalive must end it.
            var blocked = Task.Run(() => connection.ListDomains());
            Assert.True(reasons.TryTake(out var reason, Patience), "keepalive did not close the connection");
            Assert.Equal(ConnectionCloseReason.Keepalive, reason);
            var finished = await Task.WhenAny(blocked, Task.Delay(Patience));
            Assert.True(finished == blocked, "the blocked call did not return after keepalive closed the connection");
            var error = await Assert.ThrowsAsync<LibvirtException>(() => blocked);
            Assert.True(error.IsConnectionLost, $"{error.Code}/{error.Domain}: {error.Message}");
        }
        finally
        {
            daemon.SignalLibvirtd("CONT");
        }

        Assert.Equal(0, connection.Close());
    }
}
