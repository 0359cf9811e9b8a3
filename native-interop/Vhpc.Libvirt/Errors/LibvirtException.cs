namespace Vhpc.Libvirt;

/// <summary>A libvirt call failed; carries libvirt's own error as read on the failing thread.</summary>
public sealed class LibvirtException : Exception
{
    public LibvirtException()
        : this(ErrorCode.InternalError, ErrorDomain.None, ErrorLevel.Error, "libvirt call failed", operation: null)
    {
    }

    public LibvirtException(string message)
        : this(ErrorCode.InternalError, ErrorDomain.None, ErrorLevel.Error, message, operation: null)
    {
    }

    public LibvirtException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ErrorCode.InternalError;
        Domain = ErrorDomain.None;
        Level = ErrorLevel.Error;
    }

    public LibvirtException(ErrorCode code, ErrorDomain domain, ErrorLevel level, string message, string? operation)
        : base(message)
    {
        Code = code;
        Domain = domain;
        Level = level;
        Operation = operation;
    }

    /// <summary>libvirt's virErrorNumber.</summary>
    public ErrorCode Code { get; }

    /// <summary>The libvirt subsystem that reported the error.</summary>
    public ErrorDomain Domain { get; }

    public ErrorLevel Level { get; }

    /// <summary>The C function that failed (e.g. virDomainLookupByName), when known.</summary>
    public string? Operation { get; }

    /// <summary>The domain, network, storage pool or storage volume does not exist.</summary>
    public bool IsNotFound => Code is ErrorCode.NoDomain or ErrorCode.NoNetwork
        or ErrorCode.NoStoragePool or ErrorCode.NoStorageVol;

    /// <summary>
    /// The object already exists. libvirt reports a name clash on define with OPERATION_FAILED and a
    /// text, so only the dedicated codes count here; callers that define objects look them up first.
    /// </summary>
    public bool IsAlreadyExists => Code is ErrorCode.DomExist or ErrorCode.NetworkExist
        or ErrorCode.StorageVolExist or ErrorCode.NetworkPortExist;

    /// <summary>The object is not in a state that allows the operation (e.g. destroying an inactive domain).</summary>
    public bool IsOperationInvalid => Code is ErrorCode.OperationInvalid;

    /// <summary>
    /// The connection to the daemon is gone (socket closed, keepalive timeout, daemon unreachable):
    /// reconnecting may help, retrying on the same connection will not.
    /// </summary>
    public bool IsConnectionLost => Code is ErrorCode.NoConnect or ErrorCode.InvalidConn or ErrorCode.Rpc
        || (Domain is ErrorDomain.Rpc && Code is ErrorCode.SystemError or ErrorCode.InternalError);
}
