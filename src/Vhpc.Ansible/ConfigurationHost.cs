namespace Vhpc.Ansible;

/// <summary>What a node is in the Slurm cluster; becomes its inventory group.</summary>
internal enum HostRole
{
    /// <summary>Runs slurmctld, exports /home; inventory group <c>management</c>.</summary>
    Management,

    /// <summary>Runs slurmd; inventory group <c>workers</c>.</summary>
    Worker,
}

/// <summary>
/// One node as Ansible sees it. <see cref="Name"/> is the inventory name, which the playbook makes the
/// node's hostname (Slurm daemons refuse to start when the two differ).
/// </summary>
internal sealed record ConfigurationHost(string Name, string Fqdn, string Address, HostRole Role)
{
    /// <summary>SSH port of the node.</summary>
    public int Port { get; init; } = 22;

    /// <summary>
    /// Ansible connection plugin: <c>ssh</c> for guests; <c>local</c> lets the integration tests run
    /// real playbooks against this machine.
    /// </summary>
    public string Connection { get; init; } = "ssh";

    /// <summary>vCPUs the spec gives the node; slurm.conf's CPUs (inventory <c>vhpc_vcpus</c>). Null: not passed.</summary>
    public int? Vcpus { get; init; }

    /// <summary>Memory the spec gives the node; slurm.conf's RealMemory derives from it (inventory <c>vhpc_memory_mib</c>).</summary>
    public int? MemoryMiB { get; init; }

    /// <summary>
    /// A worker Slurm powers up and down (inventory group <c>on_demand</c>): slurm.conf declares it
    /// <c>State=CLOUD</c>. It is in the inventory whether it runs or not, and configured only when it runs.
    /// </summary>
    public bool OnDemand { get; init; }
}
