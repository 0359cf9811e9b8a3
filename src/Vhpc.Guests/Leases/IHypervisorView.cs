namespace Vhpc.Guests.Leases;

/// <summary>
/// What a lease wait reads from the hypervisor over one connection: the network's DHCP leases and
/// the domain's state and stop events, and the node's console log. The provisioning layer, the only one that talks to libvirt,
/// provides it. A call that finds the connection gone throws <see cref="HypervisorConnectionLostException"/>;
/// disposing the view releases the connection when the view owns it.
/// </summary>
public interface IHypervisorView : ILeaseSource, IDomainWatcher, IConsoleLogSource, IDisposable;
