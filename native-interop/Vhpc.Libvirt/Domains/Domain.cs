using System.Net;
using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>A libvirt domain (virtual machine). Dispose it to drop its reference on the connection.</summary>
public sealed unsafe class Domain : IDisposable
{
    private readonly DomainHandle handle;

    internal Domain(Connection connection, DomainHandle handle)
    {
        Connection = connection;
        this.handle = handle;
        Name = Utf8.BorrowedName(NativeMethods.virDomainGetName(handle), "virDomainGetName");
    }

    public Connection Connection { get; }

    public string Name { get; }

    public Guid Uuid => Interop.Uuid.Read(buffer => NativeMethods.virDomainGetUUIDString(handle, buffer), "virDomainGetUUIDString");

    public bool IsActive => LibvirtError.Check(NativeMethods.virDomainIsActive(handle), "virDomainIsActive") == 1;

    public DomainState GetState()
    {
        int state;
        int reason;
        LibvirtError.Check(NativeMethods.virDomainGetState(handle, &state, &reason, 0), "virDomainGetState");
        return (DomainState)state;
    }

    /// <summary>Starts the defined domain.</summary>
    public void Create() => LibvirtError.Check(NativeMethods.virDomainCreate(handle), "virDomainCreate");

    /// <summary>Stops the domain immediately (power off).</summary>
    public void Destroy() => LibvirtError.Check(NativeMethods.virDomainDestroy(handle), "virDomainDestroy");

    /// <summary>Asks the guest to shut down (ACPI); returns before it has.</summary>
    public void Shutdown() => LibvirtError.Check(NativeMethods.virDomainShutdown(handle), "virDomainShutdown");

    /// <summary>Removes the definition. UEFI guests need <see cref="DomainUndefineFlags.Nvram"/> or KeepNvram.</summary>
    public void Undefine(DomainUndefineFlags flags = DomainUndefineFlags.None) =>
        LibvirtError.Check(NativeMethods.virDomainUndefineFlags(handle, (uint)flags), "virDomainUndefineFlags");

    public string GetXml(DomainXmlFlags flags = DomainXmlFlags.None) =>
        LibvirtError.Check(NativeMethods.virDomainGetXMLDesc(handle, (uint)flags), "virDomainGetXMLDesc");

    /// <summary>
    /// The domain's metadata: for <see cref="DomainMetadataType.Element"/> the XML element stored under
    /// namespace <paramref name="uri"/>. Null when there is none.
    /// </summary>
    public string? GetMetadata(DomainMetadataType type, string? uri = null,
        DomainModificationImpact impact = DomainModificationImpact.Current)
    {
        string? metadata = NativeMethods.virDomainGetMetadata(handle, (int)type, uri, (uint)impact);
        if (metadata is not null)
        {
            return metadata;
        }

        LibvirtException error = LibvirtError.Last("virDomainGetMetadata");
        return error.Code == ErrorCode.NoDomainMetadata ? null : throw error;
    }

    /// <summary>
    /// Sets (or with null <paramref name="metadata"/> removes) metadata. For Element, <paramref name="key"/>
    /// is the namespace prefix and <paramref name="uri"/> the namespace.
    /// </summary>
    public void SetMetadata(DomainMetadataType type, string? metadata, string? key = null, string? uri = null,
        DomainModificationImpact impact = DomainModificationImpact.Current) =>
        LibvirtError.Check(
            NativeMethods.virDomainSetMetadata(handle, (int)type, metadata, key, uri, (uint)impact),
            "virDomainSetMetadata");

    /// <summary>The guest's interfaces and their addresses, from DHCP leases, the guest agent or the ARP table.</summary>
    public IReadOnlyList<DomainInterface> GetInterfaceAddresses(InterfaceAddressSource source)
    {
        nint* interfaces = null;
        int count = LibvirtError.Check(
            NativeMethods.virDomainInterfaceAddresses(handle, &interfaces, (uint)source, 0), "virDomainInterfaceAddresses");
        try
        {
            var result = new DomainInterface[count];
            for (int i = 0; i < count; i++)
            {
                var native = (DomainInterfaceNative*)interfaces[i];
                var addresses = new DomainIPAddress[native->NAddrs];
                for (int j = 0; j < addresses.Length; j++)
                {
                    DomainIPAddressNative* address = native->Addrs + j;
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
            for (int i = 0; i < count; i++)
            {
                NativeMethods.virDomainInterfaceFree(interfaces[i]);
            }

            NativeMemory.Free(interfaces);
        }
    }

    public void Dispose() => handle.Dispose();

    public override string ToString() => Name;
}
