namespace Vhpc.Posix;

/// <summary>The errno values callers compare with (Linux numbering).</summary>
public static class Errno
{
    /// <summary>EMSGSIZE: a datagram larger than the socket takes.</summary>
    public const int MessageTooLong = 90;
}
