using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Clusters;

/// <summary>
/// Re-reads clusters.d on SIGHUP (`systemctl reload vhpcd`). The signal handler only queues a request;
/// the reload itself runs here, never on the signal thread.
/// </summary>
internal sealed class ClusterReloadService : BackgroundService
{
    private readonly ClusterRegistry _registry;
    private readonly ILogger<ClusterReloadService> _logger;
    private readonly TimeProvider _time;
    private readonly ISystemdNotifier? _notifier;
    private readonly Channel<DateTimeOffset> _requests = Channel.CreateBounded<DateTimeOffset>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private PosixSignalRegistration? _sighup;

    public ClusterReloadService(ClusterRegistry registry, ILogger<ClusterReloadService> logger, TimeProvider time, IServiceProvider services)
    {
        _registry = registry;
        _logger = logger;
        _time = time;
        _notifier = services.GetService(typeof(ISystemdNotifier)) as ISystemdNotifier;
    }

    /// <summary>Completed reloads, for tests and status lines.</summary>
    public int ReloadCount { get; private set; }

    /// <summary>Asks for a reload (what SIGHUP does); several requests while one runs collapse into one.</summary>
    public void RequestReload() => _requests.Writer.TryWrite(_time.GetUtcNow());

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Without this, SIGHUP's default action would terminate the daemon.
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            RequestReload();
        });
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _requests.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _sighup?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var requestedAt in _requests.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var summary = _registry.Reload();
                    ReloadCount++;
                    var took = _time.GetUtcNow() - requestedAt;
                    _notifier?.Notify(new ServiceState(
                        $"STATUS={summary.Loaded} clusters loaded, {summary.Invalid} invalid (reloaded in {took.TotalMilliseconds:F0} ms)"));
                }
#pragma warning disable CA1031 // A failed reload keeps the previous clusters; the daemon keeps serving.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.ReloadFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
