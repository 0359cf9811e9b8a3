namespace Vhpc.Guests.Leases;

/// <summary>
/// The connection behind an <see cref="IHypervisorView"/> is gone (the hypervisor's daemon restarted,
/// or the connection was closed and replaced). Running guests survive that, so a lease wait may go on
/// over a new view. The message is the hypervisor's own.
/// </summary>
public sealed class HypervisorConnectionLostException : Exception
{
    public HypervisorConnectionLostException()
    {
    }

    public HypervisorConnectionLostException(string message)
        : base(message)
    {
    }

    public HypervisorConnectionLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
