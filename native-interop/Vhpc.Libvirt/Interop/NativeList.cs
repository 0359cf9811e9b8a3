using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;

namespace Vhpc.Libvirt.Interop;

/// <summary>
/// The virConnectListAll* pattern: libvirt returns a count and a caller-freed array of object
/// pointers, each holding a reference the caller must drop.
/// </summary>
internal static unsafe class NativeList
{
    internal static IReadOnlyList<TItem> Take<THandle, TItem>(int count, nint* items, Func<THandle, TItem> wrap)
        where THandle : LibvirtHandle, new()
    {
        try
        {
            // Adopt every pointer first so that each is released even if wrapping one fails.
            var handles = new THandle[count];
            for (var i = 0; i < count; i++)
            {
                handles[i] = new THandle();
                handles[i].Adopt(items[i]);
            }

            var result = new TItem[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = wrap(handles[i]);
            }

            return result;
        }
        finally
        {
            NativeMemory.Free(items);
        }
    }
}
