namespace Vhpc.Libvirt;

/// <summary>An event handler threw on the libvirt event thread; the exception could not propagate to libvirt.</summary>
public sealed class CallbackFailedEventArgs(Exception exception) : EventArgs
{
    public Exception Exception { get; } = exception;
}
