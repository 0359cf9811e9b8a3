using System.Runtime.InteropServices;

namespace Vhpc.Libvirt.Handles;

/// <summary>Base for the handles of libvirt objects: a pointer that is invalid when null.</summary>
internal abstract class LibvirtHandle : SafeHandle
{
    protected LibvirtHandle() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Takes ownership of a pointer libvirt handed out in a list.</summary>
    internal void Adopt(nint pointer) => SetHandle(pointer);
}
