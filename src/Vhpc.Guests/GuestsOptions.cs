using System.ComponentModel.DataAnnotations;
using Vhpc.Engine.Settings;
using Microsoft.Extensions.Options;
using Vhpc.Guests.Checks;
using Vhpc.Guests.Leases;
using Vhpc.Guests.Ssh;

namespace Vhpc.Guests;

/// <summary>Section "Guests" of vhpcd.json: how long and how often vhpcd waits for a booted node. Validated at start (<see cref="GuestsOptionsValidator"/>).</summary>
public sealed class GuestsOptions
{
    public const string SectionName = "Guests";

    /// <summary>Per-cluster state (key pair, known_hosts) lives in StateRoot/&lt;cluster&gt;.</summary>
    [Required]
    public string StateRoot { get; set; } = "/var/lib/vhpc/clusters";

    /// <summary>Per node, from boot to lease. TCG guests get theirs after ~35 s alone, later when four boot at once.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long `vhpc status` waits for port 22 of each node (all nodes are probed at once).</summary>
    [TimeSpanRange("00:00:00.010", "00:01:00")]
    public TimeSpan SshProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    [ValidateObjectMembers]
    public LeaseWaitOptions Lease { get; set; } = new();

    /// <summary>Lines of a node's serial console log in failure messages and in `vhpc console` without -n.</summary>
    [Range(1, 100_000)]
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
    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    [ValidateObjectMembers]
    public SshConnectOptions SshConnect { get; set; } = new();

    [ValidateObjectMembers]
    public SshReadinessOptions Ssh { get; set; } = new();

    /// <summary>The time limits of `vhpc check`'s checks.</summary>
    [ValidateObjectMembers]
    public ClusterCheckOptions Checks { get; set; } = new();
}
