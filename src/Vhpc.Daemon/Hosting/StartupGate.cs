using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Engine;

namespace Vhpc.Daemon.Hosting;

/// <summary>
/// Holds host start-up until the cluster files are loaded and libvirt answers for each connection URI
/// they use. AddSystemd() sends READY=1 when the host has started (after every StartAsync), so with
/// this service registered first READY=1 means "clusters loaded, libvirt connected".
/// </summary>
internal sealed class StartupGate : IHostedService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly ClusterRegistry _registry;
    private readonly IClusterEngine _engine;
    private readonly VhpcdOptions _options;
    private readonly ILogger<StartupGate> _logger;
    private readonly TimeProvider _time;

    public StartupGate(ClusterRegistry registry, IClusterEngine engine, IOptions<VhpcdOptions> options, ILogger<StartupGate> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _engine = engine;
        _options = options.Value;
        _logger = logger;
        _time = time;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Starting(_logger, typeof(StartupGate).Assembly.GetName().Version?.ToString() ?? "?",
            _options.ClustersDirectory, _options.StateDirectory, _options.SocketPath);
        _registry.Reload();
        var specs = _registry.Entries.Where(e => e.Spec is not null).Select(e => e.Spec!).ToList();

        // One probe per distinct URI: the engine's status call opens (or reuses) that connection.
        var probes = specs.GroupBy(s => s.LibvirtUris, StringComparer.Ordinal).Select(g => g.First()).ToList();
        foreach (var spec in probes)
        {
            await ProbeAsync(spec, cancellationToken).ConfigureAwait(false);
        }

        Log.Ready(_logger, specs.Count, probes.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ProbeAsync(Spec.ClusterSpec spec, CancellationToken cancellationToken)
    {
        Log.LibvirtConnecting(_logger, spec.LibvirtUris, spec.Name);
        var deadline = _time.GetUtcNow() + _options.LibvirtConnectTimeout;
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var status = await _engine.GetStatusAsync(spec, cancellationToken).ConfigureAwait(false);
                Log.LibvirtConnected(_logger, spec.LibvirtUris, spec.Name, status.Nodes.Count);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (_time.GetUtcNow() + delay > deadline)
                {
                    throw new FatalStartupException(
                        $"libvirt at {spec.LibvirtUris} (cluster {spec.Name}) did not answer within {_options.LibvirtConnectTimeout.TotalSeconds:F0} s: {ex.Message}", ex);
                }

                Log.LibvirtRetry(_logger, spec.LibvirtUris, attempt, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);

                // Exponential backoff with jitter, capped, so several daemons do not hammer libvirtd in step.
                var next = Math.Min(delay.TotalMilliseconds * 2, MaxDelay.TotalMilliseconds);
#pragma warning disable CA5394 // Jitter, not security.
                delay = TimeSpan.FromMilliseconds(next * (0.8 + (Random.Shared.NextDouble() * 0.4)));
#pragma warning restore CA5394
            }
        }
    }
}
