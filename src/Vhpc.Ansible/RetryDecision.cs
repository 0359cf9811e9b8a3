namespace Vhpc.Ansible;

/// <summary>
/// Which hosts deserve another run. Only unreachable ones: SSH not answering yet is transient, a task
/// that failed will fail the same way again (and re-running it could make things worse).
/// </summary>
internal static class RetryDecision
{
    public static IReadOnlyList<string> HostsToRetry(PlaybookRunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Hosts.Values
            .Where(h => h.Unreachable && !h.Failed)
            .Select(h => h.Host)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
