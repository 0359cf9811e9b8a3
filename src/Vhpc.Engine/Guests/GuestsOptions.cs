using Vhpc.Engine.Guests.Leases;
using Vhpc.Engine.Guests.Ssh;

namespace Vhpc.Engine.Guests;

public sealed class GuestsOptions
{
    /// <summary>Per-cluster state (key pair, known_hosts) lives in StateRoot/&lt;cluster&gt;.</summary>
    public string StateRoot { get; set; } = "/var/lib/vhpc/clusters";

    /// <summary>Per node, from boot to lease. TCG guests get theirs after ~35 s alone, later when four boot at once.</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long `vhpc status` waits for port 22 of each node (all nodes are probed at once).</summary>
    public TimeSpan SshProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public LeaseWaitOptions Lease { get; set; } = new();

    public SshConnectOptions SshConnect { get; set; } = new();

    public SshReadinessOptions Ssh { get; set; } = new();
}
