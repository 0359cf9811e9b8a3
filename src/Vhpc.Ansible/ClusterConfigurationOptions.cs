using System.ComponentModel.DataAnnotations;

namespace Vhpc.Ansible;

/// <summary>Where the playbook is and how ansible-playbook reaches the nodes (vhpcd sets them from its own settings).</summary>
public sealed class ClusterConfigurationOptions
{
    /// <summary>deploy/ansible/site.yml as installed.</summary>
    [Required]
    public string PlaybookPath { get; set; } = "/usr/share/vhpc/ansible/site.yml";

    /// <summary>Run ansible-playbook in this network namespace (null: where vhpcd runs).</summary>
    [RegularExpression(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    public string? NetworkNamespace { get; set; }

    /// <summary>Parallel hosts (null: all nodes at once).</summary>
    [Range(1, 500)]
    public int? Forks { get; set; }
}
