namespace Vhpc.Guests.Leases;

internal enum LeaseWaitFailure
{
    /// <summary>No lease within the node's timeout.</summary>
    TimedOut,

    /// <summary>The domain stopped, crashed, shut down or vanished while waiting.</summary>
    DomainStopped,

    /// <summary>A fresh lease for the MAC carries another address than its fixed DHCP host entry.</summary>
    AddressMismatch,

    /// <summary>The libvirt connection was lost and could not be reopened within the node's timeout.</summary>
    ConnectionLost,
}
