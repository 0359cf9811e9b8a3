namespace Vhpc.Guests.Ssh;

/// <summary>A guest did not become SSH-ready: the reason names the target and what was last seen.</summary>
internal sealed class GuestNotReadyException : Exception
{
    public GuestNotReadyException()
    {
    }

    public GuestNotReadyException(string message)
        : base(message)
    {
    }

    public GuestNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
