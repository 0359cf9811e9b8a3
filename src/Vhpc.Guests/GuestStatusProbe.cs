using System.Net;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Status;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;

namespace Vhpc.Guests;

/// <summary>
/// Status's view of the guests, fast and without side effects: for every running node at once, a TCP
/// probe of port 22 at its fixed address (bounded by <see cref="GuestsOptions.SshProbeTimeout"/>) and
/// whether known_hosts holds its host key; for every node, its configuration record.
/// </summary>
public sealed class GuestStatusProbe(IOptions<GuestsOptions> options, ITcpProbe probe) : IGuestStatusSource
{
    public const int SshPort = 22;

    public async Task<IReadOnlyDictionary<string, GuestStatus>> ReadAsync(GuestStatusRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var state = new ClusterStateDirectory(settings.StateRoot, request.Layout.Cluster);
        var knownHosts = new KnownHostsFile(state.KnownHostsPath);
        var results = await Task.WhenAll(request.Nodes.Select(async target =>
        {
            var ssh = SshState.Unknown;
            if (target.Running)
            {
                var address = target.Node.Address;
                ssh = !await probe.AcceptsAsync(new IPEndPoint(address, SshPort), settings.SshProbeTimeout, cancellationToken).ConfigureAwait(false)
                    ? SshState.NotAnswering
                    : knownHosts.RecordedKeyTypes(address.ToString(), SshPort).Count > 0 ? SshState.Ready : SshState.NoHostKey;
            }

            var configuration = NodeConfigurationRecord.StatusOf(NodeConfigurationRecord.Read(state, target.Node.Name), request.Layout, target.Node, target.DiskHash);
            return (target.Node.Name, Status: new GuestStatus(ssh, configuration));
        })).ConfigureAwait(false);
        return results.ToDictionary(r => r.Name, r => r.Status, StringComparer.Ordinal);
    }
}
