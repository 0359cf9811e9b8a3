namespace Vhpc.Libvirt;

/// <summary>libvirt's virErrorDomain (generated from libvirt-api.xml): the subsystem that raised an error; the values are libvirt's.</summary>
public enum ErrorDomain
{
    None = 0,
    /// <summary>Error at Xen hypervisor layer</summary>
    Xen = 1,
    /// <summary>Error at connection with xend daemon</summary>
    Xend = 2,
    /// <summary>Error at connection with xen store</summary>
    Xenstore = 3,
    /// <summary>Error in the S-Expression code</summary>
    Sexpr = 4,
    /// <summary>Error in the XML code</summary>
    Xml = 5,
    /// <summary>Error when operating on a domain</summary>
    Dom = 6,
    /// <summary>Error in the XML-RPC code</summary>
    Rpc = 7,
    /// <summary>Error in the proxy code; unused since 0.8.6</summary>
    Proxy = 8,
    /// <summary>Error in the configuration file handling</summary>
    Conf = 9,
    /// <summary>Error at the QEMU daemon</summary>
    Qemu = 10,
    /// <summary>Error when operating on a network</summary>
    Net = 11,
    /// <summary>Error from test driver</summary>
    Test = 12,
    /// <summary>Error from remote driver</summary>
    Remote = 13,
    /// <summary>Error from OpenVZ driver</summary>
    Openvz = 14,
    /// <summary>Error at Xen XM layer</summary>
    Xenxm = 15,
    /// <summary>Error in the Linux Stats code</summary>
    StatsLinux = 16,
    /// <summary>Error from Linux Container driver</summary>
    Lxc = 17,
    /// <summary>Error from storage driver</summary>
    Storage = 18,
    /// <summary>Error from network config</summary>
    Network = 19,
    /// <summary>Error from domain config</summary>
    Domain = 20,
    /// <summary>Error at the UML driver; unused since 5.0.0</summary>
    Uml = 21,
    /// <summary>Error from node device monitor</summary>
    Nodedev = 22,
    /// <summary>Error from xen inotify layer</summary>
    XenInotify = 23,
    /// <summary>Error from security framework</summary>
    Security = 24,
    /// <summary>Error from VirtualBox driver</summary>
    Vbox = 25,
    /// <summary>Error when operating on an interface</summary>
    Interface = 26,
    /// <summary>The OpenNebula driver no longer exists. Retained for ABI/API compat only</summary>
    One = 27,
    /// <summary>Error from ESX driver</summary>
    Esx = 28,
    /// <summary>Error from the phyp driver, unused since 6.0.0</summary>
    Phyp = 29,
    /// <summary>Error from secret storage</summary>
    Secret = 30,
    /// <summary>Error from CPU driver</summary>
    Cpu = 31,
    /// <summary>Error from XenAPI</summary>
    Xenapi = 32,
    /// <summary>Error from network filter driver</summary>
    Nwfilter = 33,
    /// <summary>Error from Synchronous hooks</summary>
    Hook = 34,
    /// <summary>Error from domain snapshot</summary>
    DomainSnapshot = 35,
    /// <summary>Error from auditing subsystem</summary>
    Audit = 36,
    /// <summary>Error from sysinfo/SMBIOS</summary>
    Sysinfo = 37,
    /// <summary>Error from I/O streams</summary>
    Streams = 38,
    /// <summary>Error from VMware driver</summary>
    Vmware = 39,
    /// <summary>Error from event loop impl</summary>
    Event = 40,
    /// <summary>Error from libxenlight driver</summary>
    Libxl = 41,
    /// <summary>Error from lock manager</summary>
    Locking = 42,
    /// <summary>Error from Hyper-V driver</summary>
    Hyperv = 43,
    /// <summary>Error from capabilities</summary>
    Capabilities = 44,
    /// <summary>Error from URI handling</summary>
    Uri = 45,
    /// <summary>Error from auth handling</summary>
    Auth = 46,
    /// <summary>Error from DBus</summary>
    Dbus = 47,
    /// <summary>Error from Parallels</summary>
    Parallels = 48,
    /// <summary>Error from Device</summary>
    Device = 49,
    /// <summary>Error from libssh2 connection transport</summary>
    Ssh = 50,
    /// <summary>Error from lockspace</summary>
    Lockspace = 51,
    /// <summary>Error from initctl device communication</summary>
    Initctl = 52,
    /// <summary>Error from identity code</summary>
    Identity = 53,
    /// <summary>Error from cgroups</summary>
    Cgroup = 54,
    /// <summary>Error from access control manager</summary>
    Access = 55,
    /// <summary>Error from systemd code</summary>
    Systemd = 56,
    /// <summary>Error from bhyve driver</summary>
    Bhyve = 57,
    /// <summary>Error from crypto code</summary>
    Crypto = 58,
    /// <summary>Error from firewall</summary>
    Firewall = 59,
    /// <summary>Error from polkit code</summary>
    Polkit = 60,
    /// <summary>Error from thread utils</summary>
    Thread = 61,
    /// <summary>Error from admin backend</summary>
    Admin = 62,
    /// <summary>Error from log manager</summary>
    Logging = 63,
    /// <summary>Error from Xen xl config code</summary>
    Xenxl = 64,
    /// <summary>Error from perf</summary>
    Perf = 65,
    /// <summary>Error from libssh connection transport</summary>
    Libssh = 66,
    /// <summary>Error from resource control</summary>
    Resctrl = 67,
    /// <summary>Error from firewalld</summary>
    Firewalld = 68,
    /// <summary>Error from domain checkpoint</summary>
    DomainCheckpoint = 69,
    /// <summary>Error from TPM</summary>
    Tpm = 70,
    /// <summary>Error from BPF code</summary>
    Bpf = 71,
    /// <summary>Error from Cloud-Hypervisor driver</summary>
    Ch = 72,
}
