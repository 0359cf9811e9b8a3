using System.Runtime.InteropServices;

namespace Vhpc.Posix.Interop;

/// <summary>struct msghdr (glibc, 64- and 32-bit: natural alignment gives the C layout).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    public void* Name;
    public uint NameLength;
    public void* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}
