namespace Vhpc.Ansible;

/// <summary>How configuration ended for one host.</summary>
internal enum HostOutcome
{
    /// <summary>Completed the last play of the playbook.</summary>
    Configured,

    /// <summary>A task really failed; never retried.</summary>
    Failed,

    /// <summary>Could not be reached, still so after the retries.</summary>
    Unreachable,

    /// <summary>Neither failed nor unreachable, yet never completed the last play (the run stopped early).</summary>
    Incomplete,
}

/// <summary>One host's result; <see cref="Task"/> and <see cref="Message"/> say what went wrong.</summary>
internal sealed record HostConfigurationResult(string Host, HostOutcome Outcome, string? Task, string? Message)
{
    /// <summary>Tasks that changed something on this host, over all attempts.</summary>
    public int Changed { get; init; }

    /// <summary>A line a person can act on.</summary>
    public string Describe() => Outcome switch
    {
        HostOutcome.Configured => $"{Host}: configured ({Changed} changed)",
        HostOutcome.Failed => $"{Host}: task '{Task}' failed: {Message}",
        HostOutcome.Unreachable => $"{Host}: unreachable at task '{Task}': {Message}",
        _ => $"{Host}: did not complete the last play ({Message})",
    };
}

/// <summary>One ansible-playbook invocation.</summary>
internal sealed record PlaybookAttempt(int Number, IReadOnlyList<string>? Limit, int ExitCode, TimeSpan Elapsed, PlaybookRunOutcome Outcome);

/// <summary>The whole configuration run: per-host results plus every attempt made.</summary>
internal sealed record ConfigurationResult(
    IReadOnlyList<HostConfigurationResult> Hosts,
    IReadOnlyList<PlaybookAttempt> Attempts,
    TimeSpan Elapsed,
    string RunId)
{
    /// <summary>Exit code 0 of the last attempt and every host completed the last play.</summary>
    public bool Succeeded =>
        Attempts.Count > 0 && Attempts[^1].ExitCode == 0 && Hosts.All(h => h.Outcome == HostOutcome.Configured);

    /// <summary>Hosts that did not end configured.</summary>
    public IEnumerable<HostConfigurationResult> Problems => Hosts.Where(h => h.Outcome != HostOutcome.Configured);
}
