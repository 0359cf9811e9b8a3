using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vhpc.Ansible;
using Vhpc.Guests;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Connections;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// The engine's logging scopes (journal fields VHPC_CLUSTER, VHPC_NODE, VHPC_STEP in vhpcd): the cluster
/// for a whole apply, node and step per action, the configure step for the configuration layer's logs.
/// </summary>
[Tier(TestTier.Unit)]
[Collection(TestDriverState.Name)]
public sealed partial class LoggingScopeTests
{
    [Fact]
    public async Task Every_log_of_an_apply_carries_the_cluster_and_node_actions_their_node_and_step()
    {
        using var h = new TestDriverHarness();
        var spec = h.Spec(workers: 1);
        var layout = ClusterLayout.From(spec);
        var capture = new ScopeCapture();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(capture));
        var engine = TestDriverHarness.CreateEngine(new SharedTestDriver(h.Connection), h.Uploads, factory,
            new ReadyAtOnce(), new LoggingConfiguration(factory.CreateLogger("Vhpc.Engine.Configuration.AnsibleRunner")));

        var result = await engine.ApplyAsync(spec, h.Progress, default);

        Assert.True(result.Succeeded, result.Error);
        Assert.All(capture.Entries, e => Assert.Equal(layout.Cluster, e.Scope.GetValueOrDefault("Cluster")));
        var actions = capture.Entries.Where(e => e.EventId == 2003).ToList();
        var define = actions.Single(e => e.Message.Contains($"create domain {layout.Nodes[1].Name}", StringComparison.Ordinal));
        Assert.Equal((layout.Nodes[1].Name, "define"), (define.Scope["Node"], define.Scope["Step"]));
        var start = actions.Single(e => e.Message.Contains($"start domain {layout.Nodes[0].Name}", StringComparison.Ordinal));
        Assert.Equal((layout.Nodes[0].Name, "boot"), (start.Scope["Node"], start.Scope["Step"]));
        var pool = actions.First(e => e.Message.Contains(" pool ", StringComparison.Ordinal));
        Assert.Equal("pool", pool.Scope["Step"]);
        Assert.False(pool.Scope.ContainsKey("Node"));
        // One configuration run per node here (the worker's after the management node's), each in its node's scope.
        var configured = capture.Entries.Where(e => e.EventId == 3999).ToList();
        Assert.Equal(layout.Nodes.Select(n => n.Name), configured.Select(e => e.Scope["Node"]));
        Assert.All(configured, e => Assert.Equal("configure", e.Scope["Step"]));
        // Scopes end with the apply.
        Assert.Empty(capture.CurrentScope(factory.CreateLogger("after")));

        await h.Engine.DestroyAsync(spec, new RecordingProgress(), default);
    }

    [LoggerMessage(3999, LogLevel.Information, "configured {Count} nodes")]
    private static partial void Configured(ILogger logger, int count);

    private sealed class ReadyAtOnce : INodeReadiness
    {
        public Task<NodeReadinessResult> WaitUntilReadyAsync(NodeReadinessRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new NodeReadinessResult(true, request.Node.Address));
    }

    private sealed class LoggingConfiguration(ILogger logger) : IClusterConfiguration
    {
        public Task<IReadOnlyList<NodeConfigurationResult>> ConfigureAsync(ClusterConfigurationRequest request, CancellationToken cancellationToken)
        {
            Configured(logger, request.Nodes.Count);
            return Task.FromResult<IReadOnlyList<NodeConfigurationResult>>(request.Nodes.Select(n => new NodeConfigurationResult(n.Node.Name, true)).ToList());
        }

        public IReadOnlySet<string> NodesUpToDate(Vhpc.Spec.Layout.ClusterLayout layout) => new HashSet<string>(StringComparer.Ordinal);

        public void RecordNotConfigured(Vhpc.Spec.Layout.ClusterLayout layout, Vhpc.Spec.Layout.ClusterNode node, string reason)
        {
        }

        public Task<string?> DrainAsync(Vhpc.Spec.Layout.ClusterLayout layout, IReadOnlyList<string> workers, IProgress<Vhpc.Engine.Progress.ProgressEvent> progress,
            CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }

    /// <summary>Each entry with the named values of every scope around it (inner scopes overwrite outer ones).</summary>
    private sealed class ScopeCapture : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<(int EventId, string Message, Dictionary<string, string> Scope)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public Dictionary<string, string> CurrentScope(ILogger _)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            _scopes.ForEachScope((scope, state) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs.Where(p => p.Key != "{OriginalFormat}"))
                    {
                        state[key] = value?.ToString() ?? "";
                    }
                }
            }, values);
            return values;
        }

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((eventId.Id, formatter(state, exception), owner.CurrentScope(this)));
        }
    }
}
