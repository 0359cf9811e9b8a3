using System.ComponentModel.DataAnnotations;
using Vhpc.Engine.Settings;

namespace Vhpc.Ansible;

/// <summary>
/// How the runner starts ansible-playbook and retries unreachable hosts: section "Ansible" of vhpcd.json,
/// validated at start (<see cref="AnsibleRunnerOptionsValidator"/>).
/// </summary>
public sealed class AnsibleRunnerOptions
{
    public const string SectionName = "Ansible";

    /// <summary>The ansible-playbook program (a name on PATH or a path).</summary>
    [Required]
    public string AnsiblePlaybookCommand { get; set; } = "ansible-playbook";

    /// <summary>iproute2's ip, for <c>ip netns exec</c>.</summary>
    [Required]
    public string IpCommand { get; set; } = "ip";

    /// <summary>Runs after the first one, each limited to the hosts that were unreachable.</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; doubles per retry (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    public bool UseJitter { get; set; } = true;

    /// <summary>SSH ConnectTimeout and Ansible's connection timeout.</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan SshConnectTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long SSH master connections outlive the run (they then exit by themselves).</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan SshControlPersist { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 500)]
    public int MaxForks { get; set; } = 50;
}
