using System.Runtime.InteropServices;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>
/// Process-wide libvirt setup and the default event loop. libvirt needs virEventRegisterDefaultImpl
/// before the first connection is opened, and someone must keep calling virEventRunDefaultImpl for
/// events, keepalive and close callbacks to work; that runs here on one dedicated background thread.
/// </summary>
internal static unsafe class EventLoop
{
    // virEventRunDefaultImpl blocks until a handle or timer fires; with nothing registered it would
    // block forever, so a periodic tick lets the loop notice Stop().
    private const int TickMilliseconds = 500;

    private static readonly Lock Gate = new();
    private static bool _initialized;
    private static Thread? _thread;
    private static volatile bool _stopping;
    private static int _tickTimer = -1;

    /// <summary>Initializes libvirt and starts the loop once; every Connection.Open calls this first.</summary>
    internal static void EnsureStarted()
    {
        lock (Gate)
        {
            if (!_initialized)
            {
                // Our errors are read per thread via virGetLastError; the no-op handler only stops
                // libvirt's default handler from printing every error to stderr.
                NativeMethods.virSetErrorFunc(0, &IgnoreError);
                LibvirtError.Check(NativeMethods.virInitialize(), "virInitialize");
                LibvirtError.Check(NativeMethods.virEventRegisterDefaultImpl(), "virEventRegisterDefaultImpl");
                _initialized = true;
            }

            if (_thread is null)
            {
                _stopping = false;
                _tickTimer = LibvirtError.Check(
                    NativeMethods.virEventAddTimeout(TickMilliseconds, &Tick, 0, null), "virEventAddTimeout");
                _thread = new Thread(Run) { IsBackground = true, Name = "libvirt event loop" };
                _thread.Start();
            }
        }
    }

    /// <summary>True while the loop thread runs (for tests and diagnostics).</summary>
    internal static bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Stops the loop thread (it wakes within one tick); EnsureStarted starts it again.</summary>
    internal static void Stop()
    {
        Thread? running;
        lock (Gate)
        {
            running = _thread;
            if (running is null)
            {
                return;
            }

            _stopping = true;
        }

        running.Join();
        lock (Gate)
        {
            _ = NativeMethods.virEventRemoveTimeout(_tickTimer);
            _tickTimer = -1;
            _thread = null;
        }
    }

    private static void Run()
    {
        while (!_stopping)
        {
            if (NativeMethods.virEventRunDefaultImpl() < 0)
            {
                // Not expected; do not spin if libvirt keeps failing.
                Thread.Sleep(TickMilliseconds);
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void Tick(int timer, nint opaque)
    {
    }

    [UnmanagedCallersOnly]
    private static void IgnoreError(nint userData, nint error)
    {
    }
}
