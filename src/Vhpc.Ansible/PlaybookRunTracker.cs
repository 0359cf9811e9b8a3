using Vhpc.Engine;

namespace Vhpc.Ansible;

/// <summary>
/// Folds the callback events of one run into per-host states. "Completed" is the elasticluster rule:
/// the host got through the playbook's last play (where site.yml writes its marker), not merely
/// "the exit code was 0".
/// </summary>
internal sealed class PlaybookRunTracker
{
    private readonly Dictionary<string, HostRunState> _hosts = new(StringComparer.Ordinal);
    private int _plays;
    private bool _sawStats;

    /// <param name="hosts">The hosts this run was meant for (all, or the --limit set).</param>
    public PlaybookRunTracker(IEnumerable<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        foreach (var host in hosts)
            _hosts[host] = new HostRunState(host);
    }

    public void Apply(CallbackEvent callbackEvent)
    {
        switch (callbackEvent)
        {
            case PlaybookStarted started:
                _plays = started.Plays;
                break;
            case PlayStarted play when play.Plays > 0:
                _plays = play.Plays;
                break;
            case HostResult result:
                ApplyResult(result);
                break;
            case PlaybookStats stats:
                ApplyStats(stats);
                break;
        }
    }

    private void ApplyResult(HostResult result)
    {
        var state = Get(result.Host);
        switch (result.Status)
        {
            case HostTaskStatus.Failed when !result.Ignored:
                // The first real failure explains the host; later ones (handlers, rescue) are consequences.
                state = state.Failed ? state : state with { Failed = true, Task = result.Task, Message = result.Message };
                break;
            case HostTaskStatus.Unreachable:
                state = state.Unreachable ? state : state with { Unreachable = true, Task = result.Task, Message = result.Message };
                break;
            case HostTaskStatus.Changed:
                state = state with { Changed = state.Changed + 1 };
                break;
        }
        if (result.Status is HostTaskStatus.Ok or HostTaskStatus.Changed && _plays > 0 && result.PlayIndex == _plays - 1)
            state = state with { CompletedLastPlay = true };
        _hosts[result.Host] = state;
    }

    private void ApplyStats(PlaybookStats stats)
    {
        _sawStats = true;
        foreach (var (host, s) in stats.Hosts)
        {
            var state = Get(host) with { Stats = s };
            // The recap is the authority: a failure rescued by a block is not a failure.
            if (s.Failures == 0 && state.Failed)
                state = state with { Failed = false, Task = null, Message = null };
            if (s.Failures > 0 && !state.Failed)
                state = state with { Failed = true, Message = state.Message ?? "failed (see the ansible output)" };
            if (s.Unreachable > 0 && !state.Unreachable)
                state = state with { Unreachable = true, Message = state.Message ?? "unreachable" };
            _hosts[host] = state;
        }
    }

    private HostRunState Get(string host) =>
        _hosts.TryGetValue(host, out var state) ? state : new HostRunState(host);

    public PlaybookRunOutcome Outcome() => new(_plays, new Dictionary<string, HostRunState>(_hosts, StringComparer.Ordinal), _sawStats);
}
