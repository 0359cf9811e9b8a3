namespace Vhpc.Ansible;

/// <summary>What one ansible-playbook run did to one host.</summary>
internal sealed record HostRunState(string Host)
{
    /// <summary>Had an ok/changed result in the playbook's last play and no failure.</summary>
    public bool CompletedLastPlay { get; init; }

    public bool Failed { get; init; }

    public bool Unreachable { get; init; }

    /// <summary>Task that failed or found the host unreachable.</summary>
    public string? Task { get; init; }

    /// <summary>What Ansible said about it ("censored (no_log)" for no_log tasks).</summary>
    public string? Message { get; init; }

    public int Changed { get; init; }

    /// <summary>The recap line, when the run got that far.</summary>
    public HostStats? Stats { get; init; }

    public HostOutcome Outcome =>
        Failed ? HostOutcome.Failed
        : Unreachable ? HostOutcome.Unreachable
        : CompletedLastPlay ? HostOutcome.Configured
        : HostOutcome.Incomplete;
}

/// <summary>The per-host picture of one ansible-playbook run, built from its callback events.</summary>
internal sealed record PlaybookRunOutcome(int Plays, IReadOnlyDictionary<string, HostRunState> Hosts, bool SawStats);
