using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Status;
using Vhpc.Guests;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Connections;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// `vhpc status` through the engine against libvirt's test driver, with the guests layer's probe: SSH
/// from a TCP probe (redirected to 127.0.0.1 listeners) and the recorded host key, configuration from
/// the per-node records.
/// </summary>
[Tier(TestTier.Unit)]
[Collection(TestDriverState.Name)]
public sealed class StatusEngineTests : IDisposable
{
    private readonly TestDriverHarness _h = new();
    private readonly string _stateRoot = Directory.CreateTempSubdirectory("vtj-state-").FullName;
    private readonly TcpListener _sshd = new(IPAddress.Loopback, 0);

    public StatusEngineTests() => _sshd.Start();

    public void Dispose()
    {
        _sshd.Stop();
        _sshd.Dispose();
        _h.Dispose();
        Directory.Delete(_stateRoot, recursive: true);
    }

    [Fact]
    public async Task Ssh_and_configuration_are_reported_per_node()
    {
        var spec = _h.Spec(workers: 3);
        var layout = ClusterLayout.From(spec);
        Assert.True((await _h.Engine.ApplyAsync(spec, _h.Progress, default)).Succeeded);
        var (m1, w1, w2, w3) = (layout.Nodes[0], layout.Nodes[1], layout.Nodes[2], layout.Nodes[3]);
        var state = new ClusterStateDirectory(_stateRoot, layout.Cluster);

        // m-01: answers, host key recorded, configured for this spec.
        RecordHostKey(state, m1);
        var at = new DateTimeOffset(2026, 11, 27, 21, 40, 5, TimeSpan.Zero);
        new NodeConfigurationRecord(m1.Name, true, at, NodeConfigurationRecord.SpecHashOf(layout, m1), m1.DiskHash, null).Write(state);
        // w-01: answers, no host key yet; configured for a spec that gave the nodes more memory.
        var bigger = ClusterLayout.From(_h.Spec(workers: 3, memoryMiB: 1024));
        new NodeConfigurationRecord(w1.Name, true, at, NodeConfigurationRecord.SpecHashOf(bigger, bigger.Nodes[1]), w1.DiskHash, null).Write(state);
        // w-02: port 22 closed; its last configuration run failed.
        RecordHostKey(state, w2);
        new NodeConfigurationRecord(w2.Name, false, at, NodeConfigurationRecord.SpecHashOf(layout, w2), w2.DiskHash, "task 'Install munge' failed").Write(state);
        // w-03: shut off, never configured.
        using (var domain = _h.Connection.LookupDomain(w3.Name))
        {
            domain!.Destroy();
        }

        var probe = new LoopbackProbe(new Dictionary<IPAddress, IPEndPoint>
        {
            [m1.Address] = (IPEndPoint)_sshd.LocalEndpoint,
            [w1.Address] = (IPEndPoint)_sshd.LocalEndpoint,
            [w3.Address] = (IPEndPoint)_sshd.LocalEndpoint,
        });

        var status = await Engine(probe).GetStatusAsync(spec, default);

        var nodes = status.Nodes.ToDictionary(n => n.Name);
        Assert.Equal(layout.Nodes.Select(n => n.Name), status.Nodes.Select(n => n.Name));
        Assert.Equal((SshState.Ready, true), (nodes[m1.Name].Ssh, nodes[m1.Name].SshReady));
        Assert.Equal(new NodeConfigurationStatus(ConfigurationState.Yes, at, NodeConfigurationRecord.SpecHashOf(layout, m1)), nodes[m1.Name].Configuration);
        Assert.True(nodes[m1.Name].Configured);
        Assert.Equal("yes (at 2026-11-27 21:40:05Z)", nodes[m1.Name].Configuration.Describe());

        Assert.Equal((SshState.NoHostKey, false), (nodes[w1.Name].Ssh, nodes[w1.Name].SshReady));
        Assert.Equal((ConfigurationState.Stale, false), (nodes[w1.Name].Configuration.State, nodes[w1.Name].Configured));
        Assert.Equal("stale (spec changed)", nodes[w1.Name].Configuration.Describe());

        Assert.Equal((SshState.NotAnswering, false), (nodes[w2.Name].Ssh, nodes[w2.Name].SshReady));
        Assert.Equal("failed: task 'Install munge' failed", nodes[w2.Name].Configuration.Describe());
        Assert.False(nodes[w2.Name].Configured);

        Assert.Equal("shut off", nodes[w3.Name].State);
        Assert.Equal((SshState.Unknown, (bool?)null), (nodes[w3.Name].Ssh, nodes[w3.Name].SshReady));
        Assert.Equal((ConfigurationState.No, false), (nodes[w3.Name].Configuration.State, nodes[w3.Name].Configured));

        // Only running nodes are probed, each once, at its fixed address on port 22.
        Assert.Equal(new[] { m1, w1, w2 }.Select(n => $"{n.Address}:22").Order(StringComparer.Ordinal),
            probe.Asked.Select(e => e.ToString()).Order(StringComparer.Ordinal));

        await _h.Engine.DestroyAsync(spec, new RecordingProgress(), default);
    }

    [Fact]
    public async Task A_record_for_another_disk_or_a_missing_domain_means_not_configured()
    {
        var spec = _h.Spec(workers: 1);
        var layout = ClusterLayout.From(spec);
        Assert.True((await _h.Engine.ApplyAsync(spec, _h.Progress, default)).Succeeded);
        var (m1, w1) = (layout.Nodes[0], layout.Nodes[1]);
        var state = new ClusterStateDirectory(_stateRoot, layout.Cluster);
        new NodeConfigurationRecord(m1.Name, true, DateTimeOffset.UnixEpoch, NodeConfigurationRecord.SpecHashOf(layout, m1), "0123456789abcdef", null).Write(state);
        new NodeConfigurationRecord(w1.Name, true, DateTimeOffset.UnixEpoch, NodeConfigurationRecord.SpecHashOf(layout, w1), w1.DiskHash, null).Write(state);
        using (var domain = _h.Connection.LookupDomain(w1.Name))
        {
            domain!.Destroy();
            domain.Undefine(DomainUndefineFlags.None);
        }

        var status = await Engine(new LoopbackProbe(new Dictionary<IPAddress, IPEndPoint>())).GetStatusAsync(spec, default);

        Assert.Equal(ConfigurationState.No, status.Nodes[0].Configuration.State);
        Assert.Equal(("missing", ConfigurationState.No, SshState.Unknown), (status.Nodes[1].State, status.Nodes[1].Configuration.State, status.Nodes[1].Ssh));

        await _h.Engine.DestroyAsync(spec, new RecordingProgress(), default);
    }

    [Fact]
    public async Task Without_the_guests_layer_ssh_and_configuration_stay_unknown()
    {
        var spec = _h.Spec(workers: 1);
        Assert.True((await _h.Engine.ApplyAsync(spec, _h.Progress, default)).Succeeded);

        var status = await _h.Engine.GetStatusAsync(spec, default);

        Assert.All(status.Nodes, n => Assert.Equal((SshState.Unknown, (bool?)null, ConfigurationState.Unknown, (bool?)null),
            (n.Ssh, n.SshReady, n.Configuration.State, n.Configured)));
        await _h.Engine.DestroyAsync(spec, new RecordingProgress(), default);
    }

    private ClusterEngine Engine(ITcpProbe probe) => TestDriverHarness.CreateEngine(
        new SharedTestDriver(_h.Connection),
        _h.Uploads,
        guestStatus: new GuestStatusProbe(Options.Create(new GuestsOptions { StateRoot = _stateRoot, SshProbeTimeout = TimeSpan.FromSeconds(1) }), probe));

    private static void RecordHostKey(ClusterStateDirectory state, ClusterNode node)
    {
        var key = new HostKey("ssh-ed25519", RandomNumberGenerator.GetBytes(51));
        Assert.Equal(HostKeyVerdictKind.Unknown, new KnownHostsFile(state.KnownHostsPath).CheckOrRecord(node.Address.ToString(), 22, key).Kind);
    }
}
