using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>
/// A connection to a libvirt driver (qemu:///system, qemu+ssh://host/system, test:///default ...).
/// Thread safe as libvirt's virConnectPtr is. Objects obtained from it hold references on it:
/// dispose them, or <see cref="Close"/> reports the references still held.
/// </summary>
public sealed unsafe class Connection : IDisposable
{
    // Set while this thread runs a Closed handler: libvirt holds its close-callback lock then, and
    // unregistering from inside would wait on that lock forever.
    [ThreadStatic]
    private static bool _insideCloseCallback;

    private readonly ConnectionHandle _handle;
    private readonly Lock _gate = new();
    // libvirt tracks a lifecycle callback by (connection, event, function): a second registration of
    // the same function is refused ("event callback already tracked"). So one native registration
    // serves every subscriber; it exists while at least one handler listens.
    private Action<DomainLifecycleEvent>[] _lifecycleHandlers = [];
    private DomainLifecycleSubscription? _lifecycleRegistration;
    private GCHandle _closeCallbackTarget;
    private int _closeResult = -1;
    private bool _closed;

    private Connection(ConnectionHandle handle, bool readOnly)
    {
        _handle = handle;
        IsReadOnly = readOnly;
        _closeCallbackTarget = GCHandle.Alloc(this);
        // No free callback: drivers without close callbacks (test://) would never call it, so the
        // GCHandle is freed by Close after unregistering instead.
        var registered = NativeMethods.virConnectRegisterCloseCallback(
            handle, &OnClosed, GCHandle.ToIntPtr(_closeCallbackTarget), null);
        if (registered < 0)
        {
            var error = LibvirtError.Last("virConnectRegisterCloseCallback");
            _closeCallbackTarget.Free();
            handle.Dispose();
            throw error;
        }
    }

    /// <summary>
    /// Raised (on the libvirt event thread) when the driver closes the connection on its own: the daemon
    /// went away (EndOfFile) or stopped answering keepalive probes. libvirt drops the registration after
    /// calling it once. Closing the connection from the handler is allowed.
    /// </summary>
    public event EventHandler<ConnectionClosedEventArgs>? Closed;

    /// <summary>Raised when an event handler of this connection threw (handlers run on the libvirt event thread).</summary>
    public event EventHandler<CallbackFailedEventArgs>? CallbackFailed;

    public bool IsReadOnly { get; }

    /// <summary>The canonical URI of the driver actually connected to.</summary>
    public string Uri => LibvirtError.Check(NativeMethods.virConnectGetURI(Handle), "virConnectGetURI");

    public string Hostname => LibvirtError.Check(NativeMethods.virConnectGetHostname(Handle), "virConnectGetHostname");

    /// <summary>The version of libvirt in this process.</summary>
    public Version LibVersion
    {
        get
        {
            ulong version;
            LibvirtError.Check(NativeMethods.virConnectGetLibVersion(Handle, &version), "virConnectGetLibVersion");
            return FromLibvirtVersion(version);
        }
    }

    /// <summary>The hypervisor's version (e.g. QEMU's for qemu://).</summary>
    public Version HypervisorVersion
    {
        get
        {
            ulong version;
            LibvirtError.Check(NativeMethods.virConnectGetVersion(Handle, &version), "virConnectGetVersion");
            return FromLibvirtVersion(version);
        }
    }

    /// <summary>False once the driver connection is gone (daemon died, keepalive timed out) or was closed.</summary>
    public bool IsAlive =>
        !_handle.IsClosed && LibvirtError.Check(NativeMethods.virConnectIsAlive(Handle), "virConnectIsAlive") == 1;

    internal ConnectionHandle Handle => _handle;

    /// <summary>Opens a connection; read-only connections use the daemon's read-only socket.</summary>
    public static Connection Open(string uri, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        EventLoop.EnsureStarted();
        var handle = readOnly
            ? LibvirtError.Check(NativeMethods.virConnectOpenReadOnly(uri), "virConnectOpenReadOnly")
            : LibvirtError.Check(NativeMethods.virConnectOpen(uri), "virConnectOpen");
        return new Connection(handle, readOnly);
    }

    public string GetCapabilities() =>
        LibvirtError.Check(NativeMethods.virConnectGetCapabilities(Handle), "virConnectGetCapabilities");

    public string GetDomainCapabilities(
        string? emulator = null, string? arch = null, string? machine = null, string? virtType = null) =>
        LibvirtError.Check(
            NativeMethods.virConnectGetDomainCapabilities(Handle, emulator, arch, machine, virtType, 0),
            "virConnectGetDomainCapabilities");

    /// <summary>
    /// Sends keepalive probes every <paramref name="intervalSeconds"/>; after <paramref name="count"/>
    /// unanswered ones the connection is closed (reason <see cref="ConnectionCloseReason.Keepalive"/>),
    /// which bounds every blocking call on a dead daemon. Returns false when the remote side does not
    /// support keepalive. Local drivers (test://) do not support it and throw NoSupport.
    /// </summary>
    public bool SetKeepAlive(int intervalSeconds, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return LibvirtError.Check(
            NativeMethods.virConnectSetKeepAlive(Handle, intervalSeconds, (uint)count), "virConnectSetKeepAlive") == 0;
    }

    public StoragePool DefineStoragePool(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return new StoragePool(this, LibvirtError.Check(
            NativeMethods.virStoragePoolDefineXML(Handle, xml, 0), "virStoragePoolDefineXML"));
    }

    /// <summary>The pool, or null when there is none with that name.</summary>
    public StoragePool? LookupStoragePool(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var pool = LibvirtError.CheckOrNullIfNotFound(
            NativeMethods.virStoragePoolLookupByName(Handle, name), "virStoragePoolLookupByName");
        return pool is null ? null : new StoragePool(this, pool);
    }

    /// <summary>All pools, active and inactive.</summary>
    public IReadOnlyList<StoragePool> ListStoragePools()
    {
        nint* pools;
        var count = LibvirtError.Check(
            NativeMethods.virConnectListAllStoragePools(Handle, &pools, 0), "virConnectListAllStoragePools");
        return NativeList.Take<StoragePoolHandle, StoragePool>(count, pools, h => new StoragePool(this, h));
    }

    /// <summary>Defines a persistent network (not started).</summary>
    public Network DefineNetwork(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return new Network(this, LibvirtError.Check(NativeMethods.virNetworkDefineXML(Handle, xml), "virNetworkDefineXML"));
    }

    /// <summary>The network, or null when there is none with that name.</summary>
    public Network? LookupNetwork(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var network = LibvirtError.CheckOrNullIfNotFound(
            NativeMethods.virNetworkLookupByName(Handle, name), "virNetworkLookupByName");
        return network is null ? null : new Network(this, network);
    }

    /// <summary>All networks, active and inactive.</summary>
    public IReadOnlyList<Network> ListNetworks()
    {
        nint* networks;
        var count = LibvirtError.Check(
            NativeMethods.virConnectListAllNetworks(Handle, &networks, 0), "virConnectListAllNetworks");
        return NativeList.Take<NetworkHandle, Network>(count, networks, h => new Network(this, h));
    }

    /// <summary>Defines (or redefines, when name and UUID match) a persistent domain; does not start it.</summary>
    public Domain DefineDomain(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return new Domain(this, LibvirtError.Check(NativeMethods.virDomainDefineXML(Handle, xml), "virDomainDefineXML"));
    }

    /// <summary>The domain, or null when there is none with that name.</summary>
    public Domain? LookupDomain(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var domain = LibvirtError.CheckOrNullIfNotFound(
            NativeMethods.virDomainLookupByName(Handle, name), "virDomainLookupByName");
        return domain is null ? null : new Domain(this, domain);
    }

    /// <summary>All domains, running and defined.</summary>
    public IReadOnlyList<Domain> ListDomains()
    {
        nint* domains;
        var count = LibvirtError.Check(
            NativeMethods.virConnectListAllDomains(Handle, &domains, 0), "virConnectListAllDomains");
        return NativeList.Take<DomainHandle, Domain>(count, domains, h => new Domain(this, h));
    }

    /// <summary>
    /// Calls <paramref name="handler"/> for every lifecycle event of every domain of this connection,
    /// on the libvirt event thread (keep it short; exceptions go to <see cref="CallbackFailed"/>).
    /// Any number of handlers may listen at once. Dispose the result to unsubscribe.
    /// </summary>
    public IDisposable SubscribeDomainLifecycle(Action<DomainLifecycleEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _lifecycleRegistration ??= DomainLifecycleSubscription.Register(this);
            _lifecycleHandlers = [.. _lifecycleHandlers, handler];
        }

        return new LifecycleHandlerToken(this, handler);
    }

    /// <summary>
    /// Unsubscribes every event handler, then closes; never throws, also not for a dead daemon. Returns what virConnectClose returned: 0 when the
    /// connection is gone, more while objects from it (domains, pools ...) are not disposed yet.
    /// </summary>
    public int Close()
    {
        DomainLifecycleSubscription? registration;
        lock (_gate)
        {
            if (_closed)
            {
                return _closeResult;
            }

            _closed = true;
            registration = _lifecycleRegistration;
            _lifecycleRegistration = null;
            _lifecycleHandlers = [];
        }

        registration?.Unregister(throwOnError: false);

        if (!_handle.IsClosed && !_insideCloseCallback)
        {
            // Fails when libvirt already dropped the callback after firing it; either way it is gone now.
            NativeMethods.virConnectUnregisterCloseCallback(_handle, &OnClosed);
        }

        if (_closeCallbackTarget.IsAllocated)
        {
            _closeCallbackTarget.Free();
        }

        _handle.Dispose();
        _closeResult = _handle.CloseResult;
        return _closeResult;
    }

    public void Dispose() => Close();

    /// <summary>Runs every current handler; one that throws is reported and does not stop the others.</summary>
    internal void DispatchLifecycle(DomainLifecycleEvent e)
    {
        foreach (var handler in Volatile.Read(ref _lifecycleHandlers))
        {
            try
            {
                handler(e);
            }
            catch (Exception ex)
            {
                ReportCallbackFailure(ex);
            }
        }
    }

    private void Unsubscribe(Action<DomainLifecycleEvent> handler)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_lifecycleHandlers, handler);
            if (_closed || index < 0)
            {
                return;
            }

            _lifecycleHandlers = [.. _lifecycleHandlers[..index], .. _lifecycleHandlers[(index + 1)..]];
            if (_lifecycleHandlers.Length > 0)
            {
                return;
            }

            // Deregistered under the lock: a subscriber arriving meanwhile must not register a second
            // native callback while this one is still tracked.
            var registration = _lifecycleRegistration;
            _lifecycleRegistration = null;
            registration?.Unregister(throwOnError: true);
        }
    }

    internal void ReportCallbackFailure(Exception exception) =>
        CallbackFailed?.Invoke(this, new CallbackFailedEventArgs(exception));

    // libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release.
    private static Version FromLibvirtVersion(ulong version) =>
        new((int)(version / 1_000_000), (int)(version / 1_000 % 1_000), (int)(version % 1_000));

    [UnmanagedCallersOnly]
    private static void OnClosed(nint conn, int reason, nint opaque)
    {
        // Never let an exception unwind into libvirt's C frames: that would kill the process.
        if (GCHandle.FromIntPtr(opaque).Target is not Connection connection)
        {
            return;
        }

        _insideCloseCallback = true;
        try
        {
            connection.Closed?.Invoke(connection, new ConnectionClosedEventArgs((ConnectionCloseReason)reason));
        }
        catch (Exception ex)
        {
            connection.ReportCallbackFailure(ex);
        }
        finally
        {
            _insideCloseCallback = false;
        }
    }

    private sealed class LifecycleHandlerToken(Connection connection, Action<DomainLifecycleEvent> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                connection.Unsubscribe(handler);
            }
        }
    }
}
