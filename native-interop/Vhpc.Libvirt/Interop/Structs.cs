using System.Runtime.InteropServices;

namespace Vhpc.Libvirt.Interop;

// Layouts of the structs libvirt hands out (x86_64, LP64). Offsets are explicit so that a mismatch
// with libvirt's headers (libvirt-dev: /usr/include/libvirt/*.h) is visible in review; sizes are
// checked by a test (PublicSurfaceTests.Native_struct_sizes_match_libvirts_layouts).

/// <summary>virError, 80 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct ErrorNative
{
    [FieldOffset(0)] public int Code;
    [FieldOffset(4)] public int Domain;
    [FieldOffset(8)] public byte* Message;
    [FieldOffset(16)] public int Level;
    [FieldOffset(24)] public nint Conn;
    [FieldOffset(32)] public nint Dom;
    [FieldOffset(40)] public byte* Str1;
    [FieldOffset(48)] public byte* Str2;
    [FieldOffset(56)] public byte* Str3;
    [FieldOffset(64)] public int Int1;
    [FieldOffset(68)] public int Int2;
    [FieldOffset(72)] public nint Net;
}

/// <summary>virNetworkDHCPLease, 72 bytes; all strings belong to the lease (freed by virNetworkDHCPLeaseFree).</summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal unsafe struct DhcpLeaseNative
{
    [FieldOffset(0)] public byte* Iface;
    [FieldOffset(8)] public long ExpiryTime;
    [FieldOffset(16)] public int Type;
    [FieldOffset(24)] public byte* Mac;
    [FieldOffset(32)] public byte* Iaid;
    [FieldOffset(40)] public byte* IpAddr;
    [FieldOffset(48)] public uint Prefix;
    [FieldOffset(56)] public byte* Hostname;
    [FieldOffset(64)] public byte* ClientId;
}

/// <summary>virDomainInterface, 32 bytes; owns its strings and address array (freed by virDomainInterfaceFree).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal unsafe struct DomainInterfaceNative
{
    [FieldOffset(0)] public byte* Name;
    [FieldOffset(8)] public byte* HwAddr;
    [FieldOffset(16)] public uint NAddrs;
    [FieldOffset(24)] public DomainIPAddressNative* Addrs;
}

/// <summary>virDomainIPAddress, 24 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal unsafe struct DomainIPAddressNative
{
    [FieldOffset(0)] public int Type;
    [FieldOffset(8)] public byte* Addr;
    [FieldOffset(16)] public uint Prefix;
}

/// <summary>virStorageVolInfo, 24 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct StorageVolumeInfoNative
{
    [FieldOffset(0)] public int Type;
    [FieldOffset(8)] public ulong Capacity;
    [FieldOffset(16)] public ulong Allocation;
}
