namespace Vhpc.Ansible;

/// <summary>How the runner starts ansible-playbook and retries unreachable hosts.</summary>
public sealed class AnsibleRunnerOptions
{
    /// <summary>The ansible-playbook program (a name on PATH or a path).</summary>
    public string AnsiblePlaybookCommand { get; set; } = "ansible-playbook";

    /// <summary>iproute2's ip, for <c>ip netns exec</c>.</summary>
    public string IpCommand { get; set; } = "ip";

    /// <summary>Runs after the first one, each limited to the hosts that were unreachable.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; doubles per retry (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    public bool UseJitter { get; set; } = true;

    /// <summary>SSH ConnectTimeout and Ansible's connection timeout.</summary>
    public TimeSpan SshConnectTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long SSH master connections outlive the run (they then exit by themselves).</summary>
    public TimeSpan SshControlPersist { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxForks { get; set; } = 50;
}
