using System.Runtime.InteropServices;

namespace Vhpc.Libvirt.Interop;

/// <summary>The virXxxGetUUIDString pattern: libvirt writes into a caller buffer of VIR_UUID_STRING_BUFLEN.</summary>
internal static unsafe class Uuid
{
    internal delegate int Getter(byte* buffer);

    internal static Guid Read(Getter get, string operation)
    {
        var buffer = stackalloc byte[NativeMethods.UuidStringBufferLength];
        LibvirtError.Check(get(buffer), operation);
        return Guid.Parse(Marshal.PtrToStringUTF8((nint)buffer)!);
    }
}
