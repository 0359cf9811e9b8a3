using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;

namespace Vhpc.Libvirt.Interop;

internal static unsafe partial class NativeMethods
{
    /// <summary>flags 0: a blocking stream, so virStreamSend never returns -2 (EAGAIN).</summary>
    [LibraryImport(Library)]
    internal static partial StreamHandle virStreamNew(ConnectionHandle conn, uint flags);

    /// <summary>Returns the number of bytes sent, which may be fewer than asked, or -1.</summary>
    [LibraryImport(Library)]
    internal static partial int virStreamSend(StreamHandle stream, byte* data, nuint nbytes);

    /// <summary>
    /// Returns the number of bytes received (at most nbytes), 0 at the end of the stream, or -1. (-2 is
    /// only for non-blocking streams, -3 only with virStreamRecvFlags: neither is used here.)
    /// </summary>
    [LibraryImport(Library)]
    internal static partial int virStreamRecv(StreamHandle stream, byte* data, nuint nbytes);

    /// <summary>Completes the transfer; the remote side reports its errors here.</summary>
    [LibraryImport(Library)]
    internal static partial int virStreamFinish(StreamHandle stream);

    [LibraryImport(Library)]
    internal static partial int virStreamAbort(StreamHandle stream);

    [LibraryImport(Library)]
    internal static partial int virStreamFree(nint stream);
}
