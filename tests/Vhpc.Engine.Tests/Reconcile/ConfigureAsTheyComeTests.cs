using System.Collections.Concurrent;
using Vhpc.Ansible;
using Vhpc.Engine.Progress;
using Vhpc.Guests;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// Issue 12, "configure as they come": the engine's per-node pipeline on libvirt's test driver, with
/// readiness and configuration stood in by fakes that each test releases node by node. No barrier on
/// the slowest node; the management node first, workers once it succeeded; a failed management node
/// fails its workers; nodes whose record holds are not logged into; scale-in drains before removing.
/// </summary>
[Tier(TestTier.Unit)]
[Collection(TestDriverState.Name)]
public sealed class ConfigureAsTheyComeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestDriverHarness _h = new();
    private readonly GatedReadiness _readiness = new();
    private readonly FakeConfiguration _configuration = new();
    private readonly ClusterEngine _engine;

    public ConfigureAsTheyComeTests()
    {
        _engine = TestDriverHarness.CreateEngine(new SharedTestDriver(_h.Connection), _h.Uploads, readiness: _readiness, configuration: _configuration);
    }

    [Fact]
    public async Task Workers_ready_before_the_management_node_wait_for_its_configuration_then_go_in_one_run()
    {
        var spec = _h.Spec(workers: 2);
        var (m1, w1, w2) = Names(spec);
        _readiness.Hold(m1);

        var apply = _engine.ApplyAsync(spec, _h.Progress, default);
        await _readiness.WaitCalledAsync(w1, w2);
        await Task.Delay(200); // room for a wrong engine to configure the workers early
        Assert.Empty(_configuration.Runs);

        _readiness.Release(m1);
        var result = await apply.WaitAsync(Patience);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal([[m1], [w1, w2]], _configuration.Runs.Select(r => r.Nodes));
        Assert.True(_configuration.Runs[1].Started >= _configuration.Runs[0].Finished, "the workers' run started before the management node's ended");
        Assert.All(result.Nodes, n => Assert.Equal(NodeConfigurationRun.Ran, n.Configuration));
    }

    [Fact]
    public async Task A_worker_is_configured_as_soon_as_it_is_ready_without_waiting_for_a_slower_one()
    {
        var spec = _h.Spec(workers: 2);
        var (m1, w1, w2) = Names(spec);
        _readiness.Hold(w2);

        var apply = _engine.ApplyAsync(spec, _h.Progress, default);
        await _configuration.WaitConfiguredAsync(w1);
        Assert.Equal([[m1], [w1]], _configuration.Runs.Select(r => r.Nodes));
        Assert.False(apply.IsCompleted);

        _readiness.Release(w2);
        var result = await apply.WaitAsync(Patience);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal([[m1], [w1], [w2]], _configuration.Runs.Select(r => r.Nodes));
    }

    [Fact]
    public async Task A_failed_management_node_fails_its_workers_with_its_reason_and_they_are_never_configured()
    {
        var spec = _h.Spec(workers: 2);
        var (m1, w1, w2) = Names(spec);
        _configuration.Failing[m1] = "task 'Start the node's services' failed: slurmctld did not start";

        var result = await _engine.ApplyAsync(spec, _h.Progress, default).WaitAsync(Patience);

        Assert.False(result.Succeeded);
        Assert.Equal([[m1]], _configuration.Runs.Select(r => r.Nodes));
        var nodes = result.Nodes.ToDictionary(n => n.Name);
        Assert.Equal("task 'Start the node's services' failed: slurmctld did not start", nodes[m1].Error);
        foreach (var worker in new[] { w1, w2 })
        {
            Assert.Equal($"management node {m1} failed: task 'Start the node's services' failed: slurmctld did not start", nodes[worker].Error);
            Assert.Equal(NodeConfigurationRun.NotRun, nodes[worker].Configuration);
            Assert.Contains(_h.Progress.Events, e => e.Node == worker && e.Step == ProvisioningStep.Configure && e.State == StepState.Failed
                && e.Message == nodes[worker].Error);
        }

        Assert.Equal([w1, w2], _configuration.NotConfigured.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_second_apply_with_nothing_changed_logs_into_no_node_and_runs_no_configuration()
    {
        var spec = _h.Spec(workers: 2);
        Assert.True((await _engine.ApplyAsync(spec, _h.Progress, default).WaitAsync(Patience)).Succeeded);
        var (readinessCalls, runs) = (_readiness.Calls.Count, _configuration.Runs.Count);
        var again = new RecordingProgress();

        var result = await _engine.ApplyAsync(spec, again, default).WaitAsync(Patience);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(readinessCalls, _readiness.Calls.Count); // no lease wait, no SSH
        Assert.Equal(runs, _configuration.Runs.Count);
        Assert.All(result.Nodes, n => Assert.Equal(NodeConfigurationRun.UpToDate, n.Configuration));
        Assert.DoesNotContain(again.Events, e => e.Step is ProvisioningStep.Lease or ProvisioningStep.Ssh);
        Assert.Equal(3, again.Events.Count(e => e.Step == ProvisioningStep.Configure && e.State == StepState.Skipped));

        // --reconfigure: every node again, whatever the records say.
        var forced = await _engine.ApplyAsync(spec, new ApplyOptions(Reconfigure: true), new RecordingProgress(), default).WaitAsync(Patience);
        Assert.True(forced.Succeeded, forced.Error);
        Assert.All(forced.Nodes, n => Assert.Equal(NodeConfigurationRun.Ran, n.Configuration));
        Assert.Equal(readinessCalls + 3, _readiness.Calls.Count);
    }

    [Fact]
    public async Task Scaling_out_configures_the_new_worker_and_the_management_node_only()
    {
        var spec = _h.Spec(workers: 2);
        Assert.True((await _engine.ApplyAsync(spec, _h.Progress, default).WaitAsync(Patience)).Succeeded);
        var bigger = _h.Spec(workers: 3);
        var layout = ClusterLayout.From(bigger);
        var runs = _configuration.Runs.Count;

        var result = await _engine.ApplyAsync(bigger, _h.Progress, default).WaitAsync(Patience);

        Assert.True(result.Succeeded, result.Error);
        var (m1, w3) = (layout.Nodes[0].Name, layout.Nodes[3].Name);
        Assert.Equal([[m1], [w3]], _configuration.Runs.Skip(runs).Select(r => r.Nodes));
        Assert.Equal([NodeConfigurationRun.Ran, NodeConfigurationRun.UpToDate, NodeConfigurationRun.UpToDate, NodeConfigurationRun.Ran],
            result.Nodes.Select(n => n.Configuration));
    }

    [Fact]
    public async Task Scaling_in_drains_the_leaving_workers_while_their_domains_still_exist_then_reconfigures_the_management_node()
    {
        var spec = _h.Spec(workers: 3);
        Assert.True((await _engine.ApplyAsync(spec, _h.Progress, default).WaitAsync(Patience)).Succeeded);
        var smaller = _h.Spec(workers: 1);
        var layout = ClusterLayout.From(smaller);
        _configuration.OnDrain = workers => Assert.All(workers, w =>
        {
            using var domain = _h.Connection.LookupDomain(w);
            Assert.True(domain is not null, $"{w}'s domain was removed before it was drained");
        });
        var runs = _configuration.Runs.Count;

        var result = await _engine.ApplyAsync(smaller, _h.Progress, default).WaitAsync(Patience);

        Assert.True(result.Succeeded, result.Error);
        var drained = Assert.Single(_configuration.Drains);
        Assert.Equal([$"{_h.Cluster}-w-02", $"{_h.Cluster}-w-03"], drained);
        Assert.Null(_h.Connection.LookupDomain($"{_h.Cluster}-w-02"));
        Assert.Equal([[layout.Management.Name]], _configuration.Runs.Skip(runs).Select(r => r.Nodes));
        Assert.Contains(_h.Progress.Events, e => e.Step == ProvisioningStep.Drain && e.State == StepState.Succeeded);
    }

    private static (string, string, string) Names(Vhpc.Spec.ClusterSpec spec)
    {
        var layout = ClusterLayout.From(spec);
        return (layout.Nodes[0].Name, layout.Nodes[1].Name, layout.Nodes[2].Name);
    }

    public void Dispose()
    {
        _readiness.ReleaseAll();
        _engine.DestroyAsync(_h.Spec(), new RecordingProgress(), default).GetAwaiter().GetResult();
        _h.Dispose();
    }

    /// <summary>Ready at once, except nodes held until released.</summary>
    private sealed class GatedReadiness : INodeReadiness
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new(StringComparer.Ordinal);

        public ConcurrentQueue<string> Calls { get; } = new();

        public void Hold(string node) => _held[node] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release(string node) => _held[node].TrySetResult();

        public void ReleaseAll()
        {
            foreach (var gate in _held.Values)
            {
                gate.TrySetResult();
            }
        }

        public async Task WaitCalledAsync(params string[] nodes)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!nodes.All(n => Calls.Contains(n)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"readiness was not asked for {string.Join(", ", nodes)}");
                await Task.Delay(20);
            }
        }

        public async Task<NodeReadinessResult> WaitUntilReadyAsync(NodeReadinessRequest request, CancellationToken cancellationToken)
        {
            Calls.Enqueue(request.Node.Name);
            if (_held.TryGetValue(request.Node.Name, out var gate))
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            return new NodeReadinessResult(true, request.Node.Address);
        }
    }

    /// <summary>Records each run (nodes, start, end); its "records" hold while a node's configuration spec hash is unchanged.</summary>
    private sealed class FakeConfiguration : IClusterConfiguration
    {
        private readonly ConcurrentDictionary<string, string> _records = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public List<(string[] Nodes, long Started, long Finished)> Runs { get; } = [];

        public ConcurrentDictionary<string, string> Failing { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, string> NotConfigured { get; } = new(StringComparer.Ordinal);

        public List<string[]> Drains { get; } = [];

        public Action<IReadOnlyList<string>>? OnDrain { get; set; }

        public async Task WaitConfiguredAsync(string node)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!_records.ContainsKey(node))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{node} was not configured");
                await Task.Delay(20);
            }
        }

        public async Task<IReadOnlyList<NodeConfigurationResult>> ConfigureAsync(ClusterConfigurationRequest request, CancellationToken cancellationToken)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await Task.Delay(50, cancellationToken); // a run takes time: a worker's run must not overlap the management node's
            var results = request.Nodes.Select(n => Failing.TryGetValue(n.Node.Name, out var error)
                ? new NodeConfigurationResult(n.Node.Name, false, error)
                : new NodeConfigurationResult(n.Node.Name, true)).ToList();
            foreach (var (node, result) in request.Nodes.Zip(results))
            {
                if (result.Succeeded)
                {
                    _records[node.Node.Name] = Vhpc.Guests.State.NodeConfigurationRecord.SpecHashOf(request.Layout, node.Node);
                }
            }

            lock (_lock)
            {
                Runs.Add(([.. request.Nodes.Select(n => n.Node.Name)], started, System.Diagnostics.Stopwatch.GetTimestamp()));
            }

            return results;
        }

        public IReadOnlySet<string> NodesUpToDate(ClusterLayout layout) =>
            layout.Nodes.Where(n => _records.TryGetValue(n.Name, out var hash) && hash == Vhpc.Guests.State.NodeConfigurationRecord.SpecHashOf(layout, n))
                .Select(n => n.Name).ToHashSet(StringComparer.Ordinal);

        public void RecordNotConfigured(ClusterLayout layout, ClusterNode node, string reason) => NotConfigured[node.Name] = reason;

        public Task<string?> DrainAsync(ClusterLayout layout, IReadOnlyList<string> workers, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
        {
            OnDrain?.Invoke(workers);
            Drains.Add([.. workers]);
            return Task.FromResult<string?>(null);
        }
    }
}
