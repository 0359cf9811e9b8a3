using System.Runtime.InteropServices;

namespace Vhpc.Libvirt.Interop;

/// <summary>Reading strings libvirt keeps (names, keys, error messages): copy, never free.</summary>
internal static unsafe class Utf8
{
    internal static string? Borrowed(byte* text) => Marshal.PtrToStringUTF8((nint)text);

    /// <summary>For libvirt objects' names, which are never NULL on a valid object.</summary>
    internal static string BorrowedName(byte* text, string operation) =>
        Marshal.PtrToStringUTF8((nint)text) ?? throw LibvirtError.Last(operation);
}
