using Microsoft.Extensions.Options;
using Vhpc.Engine.Checks;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Power;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Guests;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Engine;

/// <summary>
/// Adds to the engine what only the guests layer knows: a destroyed cluster's state directory (key
/// pair, known_hosts) goes with it, once libvirt holds nothing of the cluster any more. Wraps the
/// engine when the guests layer is wired (AddVhpcGuests).
/// </summary>
internal sealed class ClusterStateCleaningEngine(IClusterEngine inner, IOptions<GuestsOptions> guests) : IClusterEngine, IClusterPowerEngine
{
    private IClusterPowerEngine Power => inner as IClusterPowerEngine
        ?? throw new InvalidOperationException($"{inner.GetType().Name} does not handle power");

    public Task<NodePowerResult> PowerOnAsync(ClusterSpec spec, string node, CancellationToken cancellationToken) =>
        Power.PowerOnAsync(spec, node, cancellationToken);

    public Task<NodePowerResult> PowerOffAsync(ClusterSpec spec, string node, CancellationToken cancellationToken) =>
        Power.PowerOffAsync(spec, node, cancellationToken);

    public Task<IReadOnlyDictionary<string, string>?> ReadSlurmStatesAsync(ClusterSpec spec, CancellationToken cancellationToken) =>
        Power.ReadSlurmStatesAsync(spec, cancellationToken);

    public Task<string?> UpdateSlurmNodeAsync(ClusterSpec spec, string node, SlurmNodeUpdate update, string reason, CancellationToken cancellationToken) =>
        Power.UpdateSlurmNodeAsync(spec, node, update, reason, cancellationToken);

    public Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken) => inner.PlanAsync(spec, cancellationToken);

    /// <summary>
    /// After an apply that succeeded (so nodes the spec no longer has are gone from libvirt), their
    /// state goes too: configuration record, host key and its disk marker. A node added again later is
    /// a new guest and must not inherit them.
    /// </summary>
    public Task<ApplyResult> ApplyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken) =>
        ApplyAsync(spec, ApplyOptions.Default, progress, cancellationToken);

    public async Task<ApplyResult> ApplyAsync(ClusterSpec spec, ApplyOptions options, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var result = await inner.ApplyAsync(spec, options, progress, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            ForgetRemovedNodes(spec, new ClusterStateDirectory(guests.Value.StateRoot, spec.Name));
        }

        return result;
    }

    public async Task<DestroyResult> DestroyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // The engine throws when libvirt objects remain; then the key is still needed and stays.
        var result = await inner.DestroyAsync(spec, progress, cancellationToken).ConfigureAwait(false);
        var state = new ClusterStateDirectory(guests.Value.StateRoot, spec.Name);
        var existed = Directory.Exists(state.Path);
        state.Delete();
        return existed ? result with { ObjectsRemoved = result.ObjectsRemoved + 1 } : result;
    }

    private static void ForgetRemovedNodes(ClusterSpec spec, ClusterStateDirectory state)
    {
        var layout = ClusterLayout.From(spec);
        var current = layout.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var recorded = new[] { (Directory: state.ConfigurationRecordDirectory, Pattern: "*.json"), (Directory: state.HostKeyDiskMarkerDirectory, Pattern: "*.disk") }
            .Where(d => Directory.Exists(d.Directory))
            .SelectMany(d => Directory.EnumerateFiles(d.Directory, d.Pattern))
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        foreach (var node in recorded)
        {
            if (current.Contains(node) || !NodeNames.TryParse(spec.Name, node, out var role, out var index))
            {
                continue;
            }

            var address = Ipv4Subnet.ToAddress(NodeAddresses.Of(layout.Subnet, role, index)).ToString();
            new KnownHostsFile(state.KnownHostsPath).Forget(address, GuestStatusProbe.SshPort);
            // Without SSH readiness (Guests.WaitForSsh = false) no host key, so no hostkeys/ directory,
            // was ever recorded; File.Delete throws for a missing directory.
            var marker = state.HostKeyDiskMarkerPath(node);
            if (File.Exists(marker))
            {
                File.Delete(marker);
            }

            NodeConfigurationRecord.Delete(state, node);
        }
    }

    public Task<ClusterStatus> GetStatusAsync(ClusterSpec spec, CancellationToken cancellationToken) => inner.GetStatusAsync(spec, cancellationToken);

    public Task<NodeAccess?> GetNodeAccessAsync(ClusterSpec spec, string node, CancellationToken cancellationToken) =>
        inner.GetNodeAccessAsync(spec, node, cancellationToken);

    public Task<NodeConsole?> ReadConsoleAsync(ClusterSpec spec, string node, int? lines, CancellationToken cancellationToken) =>
        inner.ReadConsoleAsync(spec, node, lines, cancellationToken);

    public Task<ClusterCheckReport> CheckAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken) =>
        inner.CheckAsync(spec, progress, cancellationToken);
}
