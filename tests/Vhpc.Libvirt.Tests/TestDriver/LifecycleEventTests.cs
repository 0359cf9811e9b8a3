using System.Collections.Concurrent;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.TestDriver;

[Tier(TestTier.Unit)]
public sealed class LifecycleEventTests
{
    // Generous: under a load average of 20 the event loop thread was once starved for more than 10 s.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Defined_started_stopped_undefined_arrive_in_order_and_stop_after_unsubscribe()
    {
        var connection = TestDriverConnection.Open();
        var name = Names.Unique("ev");
        var events = new BlockingCollection<DomainLifecycleEvent>();
        var subscription = connection.SubscribeDomainLifecycle(e =>
        {
            if (e.DomainName == name)
            {
                events.Add(e);
            }
        });

        // Nothing but the GCHandle given to libvirt keeps the handler alive now; a collection must not lose it.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        using (var domain = connection.DefineDomain(Xml.TestDomain(name)))
        {
            domain.Create();
            domain.Destroy();
            domain.Undefine();
        }

        var seen = new List<DomainLifecycleEventType>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(events.TryTake(out var e, Patience), $"only {string.Join(",", seen)} arrived");
            seen.Add(e.Event);
        }

        Assert.Equal(
            [DomainLifecycleEventType.Defined, DomainLifecycleEventType.Started, DomainLifecycleEventType.Stopped, DomainLifecycleEventType.Undefined],
            seen);

        subscription.Dispose();
        using (var again = connection.DefineDomain(Xml.TestDomain(name)))
        {
            again.Undefine();
        }

        Assert.False(events.TryTake(out _, TimeSpan.FromSeconds(1)), "an event arrived after unsubscribing");
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void A_throwing_handler_is_reported_not_fatal_and_close_unsubscribes()
    {
        var connection = TestDriverConnection.Open();
        var name = Names.Unique("evx");
        var failures = new BlockingCollection<Exception>();
        connection.CallbackFailed += (_, e) => failures.Add(e.Exception);
        _ = connection.SubscribeDomainLifecycle(e =>
        {
            if (e.DomainName == name)
            {
                throw new InvalidOperationException("handler failed");
            }
        });

        using (var domain = connection.DefineDomain(Xml.TestDomain(name)))
        {
            domain.Undefine();
        }

        // Both events (defined, undefined) reach the throwing handler; each failure is reported.
        Assert.True(failures.TryTake(out var failure, Patience));
        Assert.Equal("handler failed", failure.Message);
        Assert.True(failures.TryTake(out var second, Patience));
        Assert.Equal("handler failed", second.Message);

        // Close deregisters the still-open subscription, so no reference is left behind. A callback
        // deregistered while libvirt is still returning from its last dispatch is purged (and its
        // reference dropped) only after that dispatch: let the event thread leave it first.
        Thread.Sleep(500);
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Many_handlers_listen_at_once_and_each_unsubscribes_alone()
    {
        // libvirt itself refuses a second registration of one callback on a connection; the binding
        // must fan one registration out to every handler.
        var connection = TestDriverConnection.Open();
        var name = Names.Unique("evm");
        var first = new BlockingCollection<DomainLifecycleEventType>();
        var second = new BlockingCollection<DomainLifecycleEventType>();
        var failures = new BlockingCollection<Exception>();
        connection.CallbackFailed += (_, e) => failures.Add(e.Exception);
        var a = connection.SubscribeDomainLifecycle(e => { if (e.DomainName == name) first.Add(e.Event); });
        var thrower = connection.SubscribeDomainLifecycle(e => { if (e.DomainName == name) throw new InvalidOperationException("one bad handler"); });
        var b = connection.SubscribeDomainLifecycle(e => { if (e.DomainName == name) second.Add(e.Event); });

        using (var domain = connection.DefineDomain(Xml.TestDomain(name)))
        {
            domain.Undefine();
        }

        foreach (var events in new[] { first, second })
        {
            Assert.True(events.TryTake(out var defined, Patience), "a handler missed the define event");
            Assert.Equal(DomainLifecycleEventType.Defined, defined);
            Assert.True(events.TryTake(out var undefined, Patience), "a handler missed the undefine event");
            Assert.Equal(DomainLifecycleEventType.Undefined, undefined);
        }

        Assert.True(failures.TryTake(out var failure, Patience), "the throwing handler was not reported");
        Assert.Equal("one bad handler", failure.Message);

        a.Dispose();
        a.Dispose(); // twice is harmless and must not remove another handler
        thrower.Dispose();
        using (var again = connection.DefineDomain(Xml.TestDomain(name)))
        {
            again.Undefine();
        }

        Assert.True(second.TryTake(out var stillListening, Patience), "the remaining handler stopped hearing events");
        Assert.Equal(DomainLifecycleEventType.Defined, stillListening);
        Assert.False(first.TryTake(out _, TimeSpan.FromMilliseconds(500)), "an unsubscribed handler still heard events");

        // The last one out deregisters; a new subscriber registers afresh.
        b.Dispose();
        using var c = connection.SubscribeDomainLifecycle(_ => { });
        c.Dispose();
        Assert.Equal(0, connection.Close());
    }
}
