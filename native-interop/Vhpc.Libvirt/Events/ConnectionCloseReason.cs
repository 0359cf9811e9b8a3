namespace Vhpc.Libvirt;

/// <summary>libvirt's virConnectCloseReason.</summary>
public enum ConnectionCloseReason
{
    /// <summary>Misc I/O error.</summary>
    Error = 0,

    /// <summary>End of file: the daemon went away.</summary>
    EndOfFile = 1,

    /// <summary>Keepalive probes went unanswered.</summary>
    Keepalive = 2,

    /// <summary>Closed by the client.</summary>
    Client = 3,
}
