using System.Net;
using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>A libvirt domain (virtual machine). Dispose it to drop its reference on the connection.</summary>
public sealed unsafe class Domain : IDisposable
{
    private readonly DomainHandle _handle;

    internal Domain(Connection connection, DomainHandle handle)
    {
        Connection = connection;
        _handle = handle;
        Name = Utf8.BorrowedName(NativeMethods.virDomainGetName(handle), "virDomainGetName");
    }

    public Connection Connection { get; }

    public string Name { get; }

    public Guid Uuid => Interop.Uuid.Read(buffer => NativeMethods.virDomainGetUUIDString(_handle, buffer), "virDomainGetUUIDString");

    public bool IsActive => LibvirtError.Check(NativeMethods.virDomainIsActive(_handle), "virDomainIsActive") == 1;

    public DomainState GetState()
    {
        int state;
        int reason;
        LibvirtError.Check(NativeMethods.virDomainGetState(_handle, &state, &reason, 0), "virDomainGetState");
        return (DomainState)state;
    }

    /// <summary>Starts the defined domain.</summary>
    public void Create() => LibvirtError.Check(NativeMethods.virDomainCreate(_handle), "virDomainCreate");

    /// <summary>Stops the domain immediately (power off).</summary>
    public void Destroy() => LibvirtError.Check(NativeMethods.virDomainDestroy(_handle), "virDomainDestroy");

    /// <summary>Asks the guest to shut down (ACPI); returns before it has.</summary>
    public void Shutdown() => LibvirtError.Check(NativeMethods.virDomainShutdown(_handle), "virDomainShutdown");

    /// <summary>Removes the definition. UEFI guests need <see cref="DomainUndefineFlags.Nvram"/> or KeepNvram.</summary>
    public void Undefine(DomainUndefineFlags flags = DomainUndefineFlags.None) =>
        LibvirtError.Check(NativeMethods.virDomainUndefineFlags(_handle, (uint)flags), "virDomainUndefineFlags");

    public string GetXml(DomainXmlFlags flags = DomainXmlFlags.None) =>
        LibvirtError.Check(NativeMethods.virDomainGetXMLDesc(_handle, (uint)flags), "virDomainGetXMLDesc");

    /// <summary>
    /// The domain's metadata: for <see cref="DomainMetadataType.Element"/> the XML element stored under
    /// namespace <paramref name="uri"/>. Null when there is none.
    /// </summary>
    public string? GetMetadata(DomainMetadataType type, string? uri = null,
        DomainModificationImpact impact = DomainModificationImpact.Current)
    {
        var metadata = NativeMethods.virDomainGetMetadata(_handle, (int)type, uri, (uint)impact);
        if (metadata is not null)
        {
            return metadata;
        }

        var error = LibvirtError.Last("virDomainGetMetadata");
        return error.Code == ErrorCode.NoDomainMetadata ? null : throw error;
    }

    /// <summary>
    /// Sets (or with null <paramref name="metadata"/> removes) metadata. For Element, <paramref name="key"/>
    /// is the namespace prefix and <paramref name="uri"/> the namespace.
    /// </summary>
    public void SetMetadata(DomainMetadataType type, string? metadata, string? key = null, string? uri = null,
        DomainModificationImpact impact = DomainModificationImpact.Current) =>
        LibvirtError.Check(
            NativeMethods.virDomainSetMetadata(_handle, (int)type, metadata, key, uri, (uint)impact),
            "virDomainSetMetadata");

    /// <summary>The guest's interfaces and their addresses, from DHCP leases, the guest agent or the ARP table.</summary>
    public IReadOnlyList<DomainInterface> GetInterfaceAddresses(InterfaceAddressSource source)
    {
        nint* interfaces = null;
        var count = LibvirtError.Check(
            NativeMethods.virDomainInterfaceAddresses(_handle, &interfaces, (uint)source, 0), "virDomainInterfaceAddresses");
        try
        {
            var result = new DomainInterface[count];
            for (var i = 0; i < count; i++)
            {
                var native = (DomainInterfaceNative*)interfaces[i];
                var addresses = new DomainIPAddress[native->NAddrs];
                for (var j = 0; j < addresses.Length; j++)
                {
                    var address = native->Addrs + j;
                    addresses[j] = new DomainIPAddress(
                        (IPAddressType)address->Type, IPAddress.Parse(Utf8.Borrowed(address->Addr) ?? string.Empty),
                        (int)address->Prefix);
                }

                result[i] = new DomainInterface(
                    Utf8.Borrowed(native->Name) ?? string.Empty, Utf8.Borrowed(native->HwAddr), addresses);
            }

            return result;
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                NativeMethods.virDomainInterfaceFree(interfaces[i]);
            }

            NativeMemory.Free(interfaces);
        }
    }

    public void Dispose() => _handle.Dispose();

    public override string ToString() => Name;
}
