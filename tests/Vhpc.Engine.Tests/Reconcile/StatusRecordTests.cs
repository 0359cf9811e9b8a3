using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vhpc.Ansible;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Engine.Tests.Configuration;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Guests;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;
using static Vhpc.Engine.Tests.Configuration.FakePlaybookProcess;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>The per-node configuration records status reads: written by the configuration step, dropped with removed nodes.</summary>
[Tier(TestTier.Unit)]
public sealed class StatusRecordTests : IDisposable
{
    private static readonly ClusterLayout Layout = ClusterLayout.From(SpecSamples.Spec(name: "vtj-rec", workers: 2, cidr: "10.208.3.0/24"));
    private readonly string _stateRoot = Directory.CreateTempSubdirectory("vtj-records-").FullName;

    public void Dispose() => Directory.Delete(_stateRoot, recursive: true);

    [Fact]
    public void A_record_round_trips_and_replaces_the_previous_one_without_leaving_temporary_files()
    {
        var state = new ClusterStateDirectory(_stateRoot, Layout.Cluster);
        var first = new NodeConfigurationRecord("vtj-rec-w-01", true, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), "aaaa", "bbbb", null);
        first.Write(state);
        Assert.Equal(first with { At = first.At.ToUniversalTime() }, NodeConfigurationRecord.Read(state, "vtj-rec-w-01"));

        var second = new NodeConfigurationRecord("vtj-rec-w-01", false, DateTimeOffset.UnixEpoch, "cccc", "bbbb", "unreachable: \"quoted\"\nand more");
        second.Write(state);
        Assert.Equal(second, NodeConfigurationRecord.Read(state, "vtj-rec-w-01"));
        Assert.Equal(["vtj-rec-w-01.json"], Directory.GetFiles(state.ConfigurationRecordDirectory).Select(Path.GetFileName));

        File.WriteAllText(state.ConfigurationRecordPath("vtj-rec-w-02"), "{ not json");
        Assert.Null(NodeConfigurationRecord.Read(state, "vtj-rec-w-02"));
        Assert.Null(NodeConfigurationRecord.Read(state, "vtj-rec-m-01"));
    }

    [Fact]
    public void The_configuration_hash_changes_with_the_node_and_with_the_rest_of_the_cluster_only()
    {
        var node = Layout.Nodes[1];
        var same = ClusterLayout.From(SpecSamples.Spec(name: "vtj-rec", workers: 2, cidr: "10.208.3.0/24"));
        var scaled = ClusterLayout.From(SpecSamples.Spec(name: "vtj-rec", workers: 3, cidr: "10.208.3.0/24"));

        Assert.Equal(NodeConfigurationRecord.SpecHashOf(Layout, node), NodeConfigurationRecord.SpecHashOf(same, same.Nodes[1]));
        Assert.NotEqual(NodeConfigurationRecord.SpecHashOf(Layout, node), NodeConfigurationRecord.SpecHashOf(Layout, Layout.Nodes[2]));
        // Scaling changes what the management node configures (slurm.conf, /etc/hosts, exports), not what a worker does (issue 12).
        Assert.NotEqual(NodeConfigurationRecord.SpecHashOf(Layout, Layout.Management), NodeConfigurationRecord.SpecHashOf(scaled, scaled.Management));
        Assert.Equal(NodeConfigurationRecord.SpecHashOf(Layout, node), NodeConfigurationRecord.SpecHashOf(scaled, scaled.Nodes[1]));
    }

    [Fact]
    public void A_record_holds_only_for_the_same_spec_roles_and_disk_after_a_success()
    {
        var m1 = Layout.Management;
        var record = new NodeConfigurationRecord(m1.Name, true, DateTimeOffset.UnixEpoch, NodeConfigurationRecord.SpecHashOf(Layout, m1), m1.DiskHash, null, "roles-1");
        var scaled = ClusterLayout.From(SpecSamples.Spec(name: "vtj-rec", workers: 3, cidr: "10.208.3.0/24"));

        Assert.True(record.Holds(Layout, m1, "roles-1"));
        Assert.False(record.Holds(Layout, m1, "roles-2"));
        Assert.False(record.Holds(scaled, scaled.Management, "roles-1"));
        Assert.False((record with { DiskHash = "other" }).Holds(Layout, m1, "roles-1"));
        Assert.False((record with { Succeeded = false }).Holds(Layout, m1, "roles-1"));
        Assert.False((record with { RolesHash = "" }).Holds(Layout, m1, "")); // written before roles hashes were kept
    }

    [Fact]
    public async Task The_configuration_step_records_each_nodes_outcome_with_time_spec_hash_and_reason()
    {
        var state = new ClusterStateDirectory(_stateRoot, Layout.Cluster);
        Directory.CreateDirectory(state.Path);
        await File.WriteAllTextAsync(state.PrivateKeyPath, "not a key: the fake playbook never connects\n");
        File.SetUnixFileMode(state.PrivateKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(state.KnownHostsPath, "");
        var (m1, w1, w2) = (Layout.Nodes[0], Layout.Nodes[1], Layout.Nodes[2]);
        var process = new FakePlaybookProcess(
            (2, [Start(2),
                Result(m1.Name, "ok", 0), Result(w1.Name, "failed", 0, "Install munge", "No package munge available."),
                Result(m1.Name, "ok", 1, "marker"),
                Stats((m1.Name, 0, 0), (w1.Name, 1, 0))]));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 22, 0, 0, TimeSpan.Zero));
        var configuration = new AnsibleClusterConfiguration(
            new AnsibleRunner(NullLogger.Instance, new AnsibleRunnerOptions { MaxRetries = 0 }, time, process),
            Options.Create(new GuestsOptions { StateRoot = _stateRoot }),
            Options.Create(new ClusterConfigurationOptions { PlaybookPath = RepositoryPaths.SitePlaybook }),
            time,
            NullLogger<AnsibleClusterConfiguration>.Instance);
        var ready = new[] { m1, w1 }.Select(n => new ReadyNode(n, n.Address)).ToList();

        var results = await configuration.ConfigureAsync(new ClusterConfigurationRequest(Layout.Spec, Layout, ready, new RecordingProgress()), default);

        Assert.Equal([true, false], results.Select(r => r.Succeeded));
        var m1Record = NodeConfigurationRecord.Read(state, m1.Name)!;
        Assert.Equal(new NodeConfigurationRecord(m1.Name, true, time.GetUtcNow(), NodeConfigurationRecord.SpecHashOf(Layout, m1), m1.DiskHash, null,
            m1Record.RolesHash), m1Record);
        Assert.Equal(32, m1Record.RolesHash.Length);
        Assert.Equal([m1.Name], configuration.NodesUpToDate(Layout));
        var w1Record = NodeConfigurationRecord.Read(state, w1.Name)!;
        Assert.False(w1Record.Succeeded);
        Assert.Contains("Install munge", w1Record.Error, StringComparison.Ordinal);
        Assert.Null(NodeConfigurationRecord.Read(state, w2.Name)); // not ready, so not part of the run

        Assert.Equal(ConfigurationState.Yes, NodeConfigurationRecord.StatusOf(m1Record, Layout, m1, m1.DiskHash).State);
        Assert.Equal(ConfigurationState.Failed, NodeConfigurationRecord.StatusOf(w1Record, Layout, w1, w1.DiskHash).State);
        Assert.Equal(ConfigurationState.No, NodeConfigurationRecord.StatusOf(null, Layout, w2, w2.DiskHash).State);
    }

    [Fact]
    public async Task A_successful_apply_drops_the_state_of_nodes_the_spec_no_longer_has()
    {
        var spec = SpecSamples.Spec(name: "vtj-rec", workers: 1, cidr: "10.208.3.0/24");
        var state = new ClusterStateDirectory(_stateRoot, spec.Name);
        var (m1, w1, w2) = (Layout.Nodes[0], Layout.Nodes[1], Layout.Nodes[2]);
        foreach (var node in new[] { m1, w1, w2 })
        {
            new NodeConfigurationRecord(node.Name, true, DateTimeOffset.UnixEpoch, "h", node.DiskHash, null).Write(state);
            new KnownHostsFile(state.KnownHostsPath).CheckOrRecord(node.Address.ToString(), 22, new HostKey("ssh-ed25519", [1, 2, (byte)node.Index]));
            Directory.CreateDirectory(Path.GetDirectoryName(state.HostKeyDiskMarkerPath(node.Name))!);
            await File.WriteAllTextAsync(state.HostKeyDiskMarkerPath(node.Name), node.DiskHash + "\n");
        }

        var inner = new ScriptedEngine(succeeded: false);
        var engine = new ClusterStateCleaningEngine(inner, Options.Create(new GuestsOptions { StateRoot = _stateRoot }));
        await engine.ApplyAsync(spec, new RecordingProgress(), default);
        Assert.NotNull(NodeConfigurationRecord.Read(state, w2.Name)); // a failed apply may not have removed the node

        inner.Succeeded = true;
        await engine.ApplyAsync(spec, new RecordingProgress(), default);

        Assert.NotNull(NodeConfigurationRecord.Read(state, m1.Name));
        Assert.NotNull(NodeConfigurationRecord.Read(state, w1.Name));
        Assert.Null(NodeConfigurationRecord.Read(state, w2.Name));
        Assert.False(File.Exists(state.HostKeyDiskMarkerPath(w2.Name)));
        Assert.True(File.Exists(state.HostKeyDiskMarkerPath(w1.Name)));
        var knownHosts = new KnownHostsFile(state.KnownHostsPath);
        Assert.Empty(knownHosts.RecordedKeyTypes(w2.Address.ToString(), 22));
        Assert.NotEmpty(knownHosts.RecordedKeyTypes(w1.Address.ToString(), 22));
    }

    [Fact]
    public async Task Scaling_in_a_cluster_configured_without_SSH_readiness_drops_the_removed_nodes_record()
    {
        // Guests.WaitForSsh = false records no host key: no hostkeys/ directory, no known_hosts entry.
        // Deleting the removed node's disk marker threw DirectoryNotFoundException, and the apply that
        // had just scaled in was reported failed (found by the systemd tier).
        var spec = SpecSamples.Spec(name: "vtj-rec", workers: 1, cidr: "10.208.3.0/24");
        var state = new ClusterStateDirectory(_stateRoot, spec.Name);
        foreach (var node in Layout.Nodes)
        {
            new NodeConfigurationRecord(node.Name, true, DateTimeOffset.UnixEpoch, "h", node.DiskHash, null).Write(state);
        }

        var engine = new ClusterStateCleaningEngine(new ScriptedEngine(succeeded: true), Options.Create(new GuestsOptions { StateRoot = _stateRoot }));
        var result = await engine.ApplyAsync(spec, new RecordingProgress(), default);

        Assert.True(result.Succeeded);
        Assert.Null(NodeConfigurationRecord.Read(state, Layout.Nodes[2].Name));
        Assert.NotNull(NodeConfigurationRecord.Read(state, Layout.Nodes[1].Name));
        Assert.False(Directory.Exists(state.HostKeyDiskMarkerDirectory));
    }

    [Fact]
    public void The_product_wiring_gives_status_the_guests_probe()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddVhpcEngine().AddVhpcGuests().AddVhpcAnsibleConfiguration();
        using var host = builder.Build();

        Assert.IsType<GuestStatusProbe>(host.Services.GetRequiredService<IGuestStatusSource>());
        Assert.IsType<TcpProbe>(host.Services.GetRequiredService<ITcpProbe>());
        Assert.IsType<AnsibleClusterConfiguration>(host.Services.GetRequiredService<IClusterConfiguration>());
    }

    private sealed class ScriptedEngine(bool succeeded) : IClusterEngine
    {
        public bool Succeeded { get; set; } = succeeded;

        public Task<ClusterPlan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ApplyResult> ApplyAsync(ClusterSpec spec, ApplyOptions options, IProgress<ProgressEvent> progress, CancellationToken cancellationToken) =>
            Task.FromResult(new ApplyResult(spec.Name, Succeeded, TimeSpan.Zero, [], Succeeded ? null : "failed"));

        public Task<DestroyResult> DestroyAsync(ClusterSpec spec, IProgress<ProgressEvent> progress, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ClusterStatus> GetStatusAsync(ClusterSpec spec, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Vhpc.Engine.NodeAccess?> GetNodeAccessAsync(Vhpc.Spec.ClusterSpec spec, string node, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Vhpc.Engine.NodeConsole?> ReadConsoleAsync(Vhpc.Spec.ClusterSpec spec, string node, int? lines, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<Vhpc.Engine.Checks.ClusterCheckReport> CheckAsync(Vhpc.Spec.ClusterSpec spec, IProgress<Vhpc.Engine.Progress.ProgressEvent> progress, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
