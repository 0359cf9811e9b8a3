using System.Net;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Vhpc.Libvirt.Handles;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>A libvirt virtual network. Dispose it to drop its reference on the connection.</summary>
public sealed unsafe class Network : IDisposable
{
    private const uint SectionIpDhcpHost = 4; // VIR_NETWORK_SECTION_IP_DHCP_HOST

    private readonly NetworkHandle _handle;

    internal Network(Connection connection, NetworkHandle handle)
    {
        Connection = connection;
        _handle = handle;
        Name = Utf8.BorrowedName(NativeMethods.virNetworkGetName(handle), "virNetworkGetName");
    }

    public Connection Connection { get; }

    public string Name { get; }

    public Guid Uuid => Interop.Uuid.Read(buffer => NativeMethods.virNetworkGetUUIDString(_handle, buffer), "virNetworkGetUUIDString");

    public bool IsActive => LibvirtError.Check(NativeMethods.virNetworkIsActive(_handle), "virNetworkIsActive") == 1;

    public bool Autostart
    {
        get
        {
            int autostart;
            LibvirtError.Check(NativeMethods.virNetworkGetAutostart(_handle, &autostart), "virNetworkGetAutostart");
            return autostart != 0;
        }
    }

    /// <summary>Starts the defined network (bridge, dnsmasq, NAT rules).</summary>
    public void Create() => LibvirtError.Check(NativeMethods.virNetworkCreate(_handle), "virNetworkCreate");

    public void Destroy() => LibvirtError.Check(NativeMethods.virNetworkDestroy(_handle), "virNetworkDestroy");

    public void Undefine() => LibvirtError.Check(NativeMethods.virNetworkUndefine(_handle), "virNetworkUndefine");

    public void SetAutostart(bool autostart) =>
        LibvirtError.Check(NativeMethods.virNetworkSetAutostart(_handle, autostart ? 1 : 0), "virNetworkSetAutostart");

    public string GetXml(NetworkXmlFlags flags = NetworkXmlFlags.None) =>
        LibvirtError.Check(NativeMethods.virNetworkGetXMLDesc(_handle, (uint)flags), "virNetworkGetXMLDesc");

    /// <summary>
    /// The network's current DHCP leases, optionally only those of one MAC. A MAC can have stale
    /// leases next to the current one: prefer the newest <see cref="DhcpLease.ExpiryTime"/>.
    /// </summary>
    public IReadOnlyList<DhcpLease> GetDhcpLeases(string? mac = null)
    {
        nint* leases = null;
        var count = LibvirtError.Check(
            NativeMethods.virNetworkGetDHCPLeases(_handle, mac, &leases, 0), "virNetworkGetDHCPLeases");
        try
        {
            var result = new DhcpLease[count];
            for (var i = 0; i < count; i++)
            {
                var lease = (DhcpLeaseNative*)leases[i];
                result[i] = new DhcpLease(
                    Interface: Utf8.Borrowed(lease->Iface) ?? string.Empty,
                    ExpiryTime: DateTimeOffset.FromUnixTimeSeconds(lease->ExpiryTime),
                    Type: (IPAddressType)lease->Type,
                    Mac: Utf8.Borrowed(lease->Mac) ?? string.Empty,
                    IPAddress: IPAddress.Parse(Utf8.Borrowed(lease->IpAddr) ?? string.Empty),
                    Prefix: (int)lease->Prefix,
                    Hostname: Utf8.Borrowed(lease->Hostname),
                    ClientId: Utf8.Borrowed(lease->ClientId),
                    Iaid: Utf8.Borrowed(lease->Iaid));
            }

            return result;
        }
        finally
        {
            // Each lease owns its strings; the array itself is plain caller-freed memory.
            for (var i = 0; i < count; i++)
            {
                NativeMethods.virNetworkDHCPLeaseFree(leases[i]);
            }

            NativeMemory.Free(leases);
        }
    }

    /// <summary>
    /// Adds, modifies or deletes a fixed DHCP host entry (<c>&lt;host mac= name= ip=/&gt;</c>) of the
    /// network's first IPv4 range. Without <paramref name="impact"/> both the persistent definition and,
    /// when the network runs, the live one are changed.
    /// </summary>
    public void UpdateDhcpHost(NetworkUpdateCommand command, string mac, IPAddress? address = null,
        string? hostname = null, NetworkUpdateImpact? impact = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(mac);
        var host = new XElement("host", new XAttribute("mac", mac));
        if (hostname is not null)
        {
            host.Add(new XAttribute("name", hostname));
        }

        if (address is not null)
        {
            host.Add(new XAttribute("ip", address.ToString()));
        }

        UpdateDhcpHost(command, host.ToString(SaveOptions.DisableFormatting), impact);
    }

    /// <summary>As the other overload, with the <c>&lt;host&gt;</c> element given as XML.</summary>
    public void UpdateDhcpHost(NetworkUpdateCommand command, string hostXml, NetworkUpdateImpact? impact = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostXml);
        var flags = impact ?? (IsActive
            ? NetworkUpdateImpact.Live | NetworkUpdateImpact.Config
            : NetworkUpdateImpact.Config);
        LibvirtError.Check(
            NativeMethods.virNetworkUpdate(_handle, (uint)command, SectionIpDhcpHost, -1, hostXml, (uint)flags),
            "virNetworkUpdate");
    }

    public void Dispose() => _handle.Dispose();

    public override string ToString() => Name;
}
