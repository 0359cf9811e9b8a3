using Vhpc.Guests.Leases;
using Vhpc.Guests.Ssh;

namespace Vhpc.Guests;

public sealed class GuestsOptions
{
    /// <summary>Per-cluster state (key pair, known_hosts) lives in StateRoot/&lt;cluster&gt;.</summary>
    public string StateRoot { get; set; } = "/var/lib/vhpc/clusters";

    /// <summary>Per node, from boot to lease. TCG guests get theirs after ~35 s alone, later when four boot at once.</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long `vhpc status` waits for port 22 of each node (all nodes are probed at once).</summary>
    public TimeSpan SshProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public LeaseWaitOptions Lease { get; set; } = new();

    /// <summary>Lines of a node's serial console log in failure messages and in `vhpc console` without -n.</summary>
    public int ConsoleTailLines { get; set; } = ConsoleLogTail.DefaultLines;

    /// <summary>
    /// False: a node counts as ready once it has its DHCP lease; SSH and cloud-init are not waited for
    /// (the Ssh step is reported as skipped). For images without sshd or cloud-init, such as
    /// appliances or diskless test guests; the configuration step still needs SSH to reach the nodes.
    /// </summary>
    public bool WaitForSsh { get; set; } = true;

    /// <summary>
    /// While waiting for a lease, how often to try to reconnect when the libvirt connection was lost
    /// (libvirtd restarted); the node's lease timeout still bounds the whole wait.
    /// </summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public SshConnectOptions SshConnect { get; set; } = new();

    public SshReadinessOptions Ssh { get; set; } = new();
}
