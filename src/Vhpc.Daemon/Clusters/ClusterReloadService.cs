using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Clusters;

/// <summary>
/// Re-reads clusters.d on request: `vhpc reload` (the unit's ExecReload, so `systemctl reload` returns
/// only once the reload is done) waits for it; SIGHUP only asks. The signal handler and the control
/// request only queue a request; the reload itself runs here, never on the signal thread. Requests
/// queued while a reload runs are served together by the next one (which starts after they arrived,
/// so it sees every change made before them).
/// </summary>
internal sealed class ClusterReloadService : BackgroundService
{
    private readonly ClusterRegistry _registry;
    private readonly ILogger<ClusterReloadService> _logger;
    private readonly TimeProvider _time;
    private readonly ISystemdNotifier? _notifier;
    private readonly Channel<ReloadRequest> _requests = Channel.CreateUnbounded<ReloadRequest>(
        new UnboundedChannelOptions { SingleReader = true });

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

    /// <summary>Asks for a reload without waiting for it (what SIGHUP does); several requests while one runs collapse into one.</summary>
    public void RequestReload() => _requests.Writer.TryWrite(new ReloadRequest(_time.GetUtcNow(), null));

    /// <summary>
    /// Reloads and returns when that reload is done: its summary, or the exception that failed it (the
    /// previous clusters stay). Throws <see cref="OperationCanceledException"/> when vhpcd stops first.
    /// </summary>
    public Task<ReloadSummary> ReloadAsync()
    {
        var done = new TaskCompletionSource<ReloadSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_requests.Writer.TryWrite(new ReloadRequest(_time.GetUtcNow(), done)))
        {
            done.TrySetCanceled();
        }

        return done.Task;
    }

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
        var waiting = new List<ReloadRequest>();
        try
        {
            while (await _requests.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                waiting.Clear();
                while (_requests.Reader.TryRead(out var request))
                {
                    waiting.Add(request);
                }

                Reload(waiting);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Whoever still waits learns that vhpcd stopped before reloading for them.
            while (_requests.Reader.TryRead(out var request))
            {
                request.Done?.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    private void Reload(List<ReloadRequest> requests)
    {
        try
        {
            var summary = _registry.Reload();
            ReloadCount++;
            var took = _time.GetUtcNow() - requests[0].RequestedAt;
            _notifier?.Notify(new ServiceState(
                $"STATUS={summary.Loaded} clusters loaded, {summary.Invalid} invalid (reloaded in {took.TotalMilliseconds:F0} ms)"));
            requests.ForEach(r => r.Done?.TrySetResult(summary));
        }
#pragma warning disable CA1031 // A failed reload keeps the previous clusters; the daemon keeps serving.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ReloadFailed(_logger, ex);
            requests.ForEach(r => r.Done?.TrySetException(ex));
        }
    }

    /// <param name="Done">Completed with the reload that served the request; null for SIGHUP, which nobody waits on.</param>
    private sealed record ReloadRequest(DateTimeOffset RequestedAt, TaskCompletionSource<ReloadSummary>? Done);
}
