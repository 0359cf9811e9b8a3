using System.Runtime.CompilerServices;
using Vhpc.Libvirt;

namespace Vhpc.Engine.Guests.Leases;

/// <summary>
/// One lifecycle subscription per connection, shared by every waiting node. libvirt refuses a second
/// registration of the same callback on a connection ("event callback already tracked"), and the
/// binding registers one native callback for all its subscriptions, so nodes waiting in parallel
/// must share one. The native registration lives while at least one node listens.
/// </summary>
internal sealed class DomainLifecycleHub
{
    private static readonly ConditionalWeakTable<Connection, DomainLifecycleHub> Hubs = new();

    private readonly Connection _connection;
    private readonly Lock _lock = new();
    private readonly List<Action<DomainLifecycleEvent>> _handlers = [];
    private IDisposable? _subscription;

    private DomainLifecycleHub(Connection connection)
    {
        _connection = connection;
    }

    public static IDisposable Subscribe(Connection connection, Action<DomainLifecycleEvent> handler) =>
        Hubs.GetValue(connection, c => new DomainLifecycleHub(c)).Add(handler);

    private Subscription Add(Action<DomainLifecycleEvent> handler)
    {
        lock (_lock)
        {
            _subscription ??= _connection.SubscribeDomainLifecycle(Dispatch);
            _handlers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    private void Remove(Action<DomainLifecycleEvent> handler)
    {
        IDisposable? last = null;
        lock (_lock)
        {
            if (_handlers.Remove(handler) && _handlers.Count == 0)
            {
                last = _subscription;
                _subscription = null;
            }
        }

        last?.Dispose();
    }

    private void Dispatch(DomainLifecycleEvent e)
    {
        Action<DomainLifecycleEvent>[] handlers;
        lock (_lock)
        {
            handlers = [.. _handlers];
        }

        foreach (var handler in handlers)
        {
            handler(e);
        }
    }

    private sealed class Subscription(DomainLifecycleHub hub, Action<DomainLifecycleEvent> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub.Remove(handler);
            }
        }
    }
}
