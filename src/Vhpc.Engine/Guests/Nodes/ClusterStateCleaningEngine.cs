using Microsoft.Extensions.Options;
using Vhpc.Engine.Planning;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Spec;
using Vhpc.Engine.Status;

namespace Vhpc.Engine.Guests.Nodes;

/// <summary>
/// Adds to the engine what only the guests layer knows: a destroyed cluster's state directory (key
/// pair, known_hosts) goes with it, once libvirt holds nothing of the cluster any more.
/// </summary>
public sealed class ClusterStateCleaningEngine(IClusterEngine inner, IOptions<GuestsOptions> options) : IClusterEngine
{
    public Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken) => inner.PlanAsync(spec, cancellationToken);

    public Task<ApplyResult> ApplyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken) =>
        inner.ApplyAsync(spec, progress, cancellationToken);

    public async Task<DestroyResult> DestroyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // The engine throws when libvirt objects remain; then the key is still needed and stays.
        var result = await inner.DestroyAsync(spec, progress, cancellationToken).ConfigureAwait(false);
        var state = new ClusterStateDirectory(options.Value.StateRoot, spec.Name);
        var existed = Directory.Exists(state.Path);
        state.Delete();
        return existed ? result with { ObjectsRemoved = result.ObjectsRemoved + 1 } : result;
    }

    public Task<ClusterStatus> GetStatusAsync(ClusterSpec spec, CancellationToken cancellationToken) => inner.GetStatusAsync(spec, cancellationToken);
}
