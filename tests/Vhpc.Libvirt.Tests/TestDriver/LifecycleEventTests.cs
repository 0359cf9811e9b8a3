using System.Collections.Concurrent;
using Vhpc.Libvirt.Tests.Support;

namespace Vhpc.Libvirt.Tests.TestDriver;

public sealed class LifecycleEventTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Defined_started_stopped_undefined_arrive_in_order_and_stop_after_unsubscribe()
    {
        var connection = TestDriverConnection.Open();
        string name = Names.Unique("ev");
        var events = new BlockingCollection<DomainLifecycleEvent>();
        IDisposable subscription = connection.SubscribeDomainLifecycle(e =>
        {
            if (e.DomainName == name)
            {
                events.Add(e);
            }
        });

        using (Domain domain = connection.DefineDomain(Xml.TestDomain(name)))
        {
            domain.Create();
            domain.Destroy();
            domain.Undefine();
        }

        var seen = new List<DomainLifecycleEventType>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(events.TryTake(out DomainLifecycleEvent? e, Patience), $"only {string.Join(",", seen)} arrived");
            seen.Add(e.Event);
        }

        Assert.Equal(
            [DomainLifecycleEventType.Defined, DomainLifecycleEventType.Started, DomainLifecycleEventType.Stopped, DomainLifecycleEventType.Undefined],
            seen);

        subscription.Dispose();
        using (Domain again = connection.DefineDomain(Xml.TestDomain(name)))
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
        string name = Names.Unique("evx");
        var failures = new BlockingCollection<Exception>();
        connection.CallbackFailed += (_, e) => failures.Add(e.Exception);
        _ = connection.SubscribeDomainLifecycle(e =>
        {
            if (e.DomainName == name)
            {
                throw new InvalidOperationException("handler failed");
            }
        });

        using (Domain domain = connection.DefineDomain(Xml.TestDomain(name)))
        {
            domain.Undefine();
        }

        Assert.True(failures.TryTake(out Exception? failure, Patience));
        Assert.Equal("handler failed", failure.Message);

        // Close deregisters the still-open subscription, so no reference is left behind.
        Assert.Equal(0, connection.Close());
    }
}
