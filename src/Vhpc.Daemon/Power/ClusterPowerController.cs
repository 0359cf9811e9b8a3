using Microsoft.Extensions.Logging;
using Vhpc.Daemon.Clusters;
using Vhpc.Engine.Power;

namespace Vhpc.Daemon.Power;

/// <summary>
/// Carries out one cluster's power requests. Each node has at most one operation running; a request
/// for a node that is busy replaces what it should do next (the latest wins), so requests never
/// queue up without bound. The spec is looked up when the work starts, so a node that left the
/// elastic range in a reload is not touched. A failed resume is reported to Slurm (state=down with
/// the reason), so the node does not sit in powering-up until ResumeTimeout.
/// </summary>
internal sealed class ClusterPowerController(string cluster, ClusterRegistry registry, IClusterPowerEngine engine, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PowerVerb> _next = new(StringComparer.Ordinal);
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);

    public string Cluster { get; } = cluster;

    /// <summary>Nodes with an operation running or waiting (the reconciler leaves them alone).</summary>
    public bool IsBusy(string node)
    {
        lock (_gate)
        {
            return _busy.Contains(node);
        }
    }

    public void Submit(PowerRequest request, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var node in request.Nodes)
        {
            bool start;
            lock (_gate)
            {
                _next[node] = request.Verb;
                start = _busy.Add(node);
            }

            if (start)
            {
                _ = Task.Run(() => RunNodeAsync(node, stopping), CancellationToken.None);
            }
        }
    }

    private async Task RunNodeAsync(string node, CancellationToken stopping)
    {
        while (true)
        {
            PowerVerb verb;
            lock (_gate)
            {
                if (!_next.Remove(node, out verb) || stopping.IsCancellationRequested)
                {
                    _next.Remove(node);
                    _busy.Remove(node);
                    return;
                }
            }

            try
            {
                await RunAsync(node, verb, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // vhpcd stops: the next one's reconciler sees a node Slurm has powering up and finishes it.
            }
            catch (Exception e)
            {
                Log.RequestDropped(logger, Cluster, node, e.Message);
            }
        }
    }

    private async Task RunAsync(string node, PowerVerb verb, CancellationToken stopping)
    {
        var spec = registry.FindByName(Cluster)?.Spec;
        if (spec?.Workers.Elastic is null)
        {
            Log.RequestDropped(logger, Cluster, node, "the cluster has no elastic range any more");
            return;
        }

        if (verb == PowerVerb.Resume)
        {
            var result = await engine.PowerOnAsync(spec, node, stopping).ConfigureAwait(false);
            if (result.Succeeded)
            {
                Log.PoweredOn(logger, Cluster, node, result.Duration.TotalSeconds, result.Configured);
                return;
            }

            Log.ResumeFailed(logger, Cluster, node, result.Error ?? "unknown");
            if (await engine.UpdateSlurmNodeAsync(spec, node, SlurmNodeUpdate.Down, "resume failed: " + result.Error, stopping).ConfigureAwait(false) is { } notTold)
            {
                Log.SlurmNotTold(logger, Cluster, node, notTold);
            }

            return;
        }

        if (verb == PowerVerb.ResumeFailed)
        {
            Log.ResumeTimedOut(logger, Cluster, node);
        }

        var off = await engine.PowerOffAsync(spec, node, stopping).ConfigureAwait(false);
        if (off.Succeeded)
        {
            Log.PoweredOff(logger, Cluster, node, off.Duration.TotalSeconds);
        }
        else
        {
            Log.SuspendFailed(logger, Cluster, node, off.Error ?? "unknown");
        }
    }
}
