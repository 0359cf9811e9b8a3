namespace Vhpc.Ansible;

/// <summary>Everything one configuration run of a cluster needs.</summary>
internal sealed record ConfigurationRequest
{
    /// <summary>Cluster name; goes to the playbook as <c>vhpc_cluster</c>.</summary>
    public required string ClusterName { get; init; }

    /// <summary>All nodes of the cluster (a run or a retry narrows itself with --limit, never the inventory).</summary>
    public required IReadOnlyList<ConfigurationHost> Hosts { get; init; }

    /// <summary>
    /// The hosts this run configures (--limit); null: every host. The inventory still holds every
    /// node, so the management node's slurm.conf and /etc/hosts list them all.
    /// </summary>
    public IReadOnlyList<string>? Limit { get; init; }

    /// <summary>Login user on the nodes (with passwordless sudo).</summary>
    public required string User { get; init; }

    /// <summary>The cluster's SSH private key.</summary>
    public required string PrivateKeyPath { get; init; }

    /// <summary>The cluster's known_hosts; host keys are checked strictly against it (entries by address).</summary>
    public required string KnownHostsPath { get; init; }

    /// <summary>The cluster's munge key (see <see cref="MungeKey"/>); copied to the nodes, never logged.</summary>
    public required string MungeKeyPath { get; init; }

    /// <summary>
    /// The cluster's slurmdbd database password file (see <see cref="SlurmDatabasePassword"/>); read by
    /// the playbook on this host, never logged. Null: not passed (playbooks without accounting).
    /// </summary>
    public string? DatabasePasswordPath { get; init; }

    /// <summary>Debian or RedHat: the guests' OS family (inventory <c>vhpc_os_family</c>; no facts are gathered).</summary>
    public string? OsFamily { get; init; }

    /// <summary>The cluster network, e.g. 10.0.0.0/24 (inventory <c>vhpc_network_cidr</c>; the NFS export).</summary>
    public string? NetworkCidr { get; init; }

    /// <summary>The playbook to run, normally deploy/ansible/site.yml.</summary>
    public required string PlaybookPath { get; init; }

    /// <summary>
    /// The cluster's state directory. The runner keeps its inventory, fact cache, ANSIBLE_HOME and
    /// local temp in an <c>ansible</c> folder under it (mode 0700).
    /// </summary>
    public required string StateDirectory { get; init; }

    /// <summary>Network namespace to run ansible-playbook in (<c>ip netns exec</c>); null for none.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>Parallel hosts; null sizes it to the cluster (all hosts at once, at most 50).</summary>
    public int? Forks { get; init; }

    /// <summary>Identifies this run in the per-host marker (<c>vhpc_run_id</c>); null makes a new one.</summary>
    public string? RunId { get; init; }

    /// <summary>Slurm's SuspendTime: idle seconds before an on-demand worker is powered off (inventory <c>vhpc_suspend_time</c>).</summary>
    public int? SuspendTimeSeconds { get; init; }

    /// <summary>More playbook variables (passed in an extra-vars JSON file, so values cannot inject).</summary>
    public IReadOnlyDictionary<string, string>? ExtraVariables { get; init; }
}
