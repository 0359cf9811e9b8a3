using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Clusters;
using Vhpc.Engine.Power;
using Vhpc.Spec.Layout;

namespace Vhpc.Daemon.Power;

/// <summary>
/// Listens to every elastic cluster's power channel: connects to the host end libvirt binds for the
/// running management domain (<c>{channels}/{cluster}.sock</c>, directory 0700, socket made 0600),
/// reads bounded lines, rate-limits them, lets <see cref="PowerProtocol"/> accept or refuse each,
/// answers <c>ok ...</c> or <c>refused REASON</c> at once and hands accepted requests to the
/// cluster's <see cref="ClusterPowerController"/>. One task per cluster; nothing a guest sends can
/// block another cluster, an apply or the control socket. The clusters are looked up every few
/// seconds, so a reload that makes a cluster elastic is picked up without a restart.
/// </summary>
internal sealed class PowerChannelService(
    ClusterRegistry registry,
    PowerControllers controllers,
    IOptions<PowerChannelOptions> options,
    TimeProvider time,
    ILogger<PowerChannelService> logger) : BackgroundService
{
    public static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(5);

    /// <summary>An answer the guest does not read within this time drops the connection (it is made again).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FloodLogInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Task> _channels = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Directory is not { } directory)
        {
            return;
        }

        // Only root reaches the sockets: libvirtd (root) binds them here, vhpcd connects.
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not fatal: clusters without an elastic range need no channel; elastic ones stay at their always-on workers.
            Log.ChannelsUnavailable(logger, directory, e.Message);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var entry in registry.Entries)
            {
                if (entry.Spec is { Workers.Elastic: not null } spec && options.Value.SocketPath(spec.Name) is { } path
                    && (!_channels.TryGetValue(spec.Name, out var running) || running.IsCompleted))
                {
                    _channels[spec.Name] = Task.Run(() => RunChannelAsync(spec.Name, path, stoppingToken), CancellationToken.None);
                }
            }

            try
            {
                await Task.Delay(ScanInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(_channels.Values).ConfigureAwait(false);
    }

    private async Task RunChannelAsync(string cluster, string path, CancellationToken stopping)
    {
        string? lastUnreachable = null;
        while (!stopping.IsCancellationRequested && registry.FindByName(cluster)?.Spec?.Workers.Elastic is not null)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), stopping).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                // The management domain is not running (no socket) or is starting: try again shortly.
                if (lastUnreachable != e.Message)
                {
                    Log.ChannelUnreachable(logger, cluster, path, e.Message);
                    lastUnreachable = e.Message;
                }

                if (!await DelayAsync(ScanInterval, stopping).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lastUnreachable = null;
            try
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.ChannelDropped(logger, cluster, $"cannot make {path} 0600: {e.Message}");
            }

            Log.ChannelConnected(logger, cluster, path);
            await using (var stream = new NetworkStream(socket, ownsSocket: false))
            {
                try
                {
                    await ServeAsync(cluster, stream, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    Log.ChannelDropped(logger, cluster, e.Message);
                }
            }

            Log.ChannelClosed(logger, cluster);
            if (!await DelayAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Reads and answers lines until the guest side closes; each line is judged on its own.</summary>
    internal async Task ServeAsync(string cluster, Stream stream, CancellationToken stopping)
    {
        var reader = new ChannelLineReader(stream);
        var limiter = new RequestRateLimiter(time);
        var flood = 0;
        var floodSince = time.GetTimestamp();
        while (await reader.ReadAsync(stopping).ConfigureAwait(false) is { } line)
        {
            if (!limiter.TryAcquire())
            {
                // Logged as one summary per interval: a flood must not become a flood of log entries.
                flood++;
                if (time.GetElapsedTime(floodSince) >= FloodLogInterval)
                {
                    Log.ChannelFlooded(logger, cluster, flood, time.GetElapsedTime(floodSince).TotalSeconds);
                    flood = 0;
                    floodSince = time.GetTimestamp();
                }

                await AnswerAsync(stream, "refused rate limit: too many requests", stopping).ConfigureAwait(false);
                continue;
            }

            var answer = Judge(cluster, line, stopping);
            await AnswerAsync(stream, answer, stopping).ConfigureAwait(false);
        }

        if (flood > 0)
        {
            Log.ChannelFlooded(logger, cluster, flood, time.GetElapsedTime(floodSince).TotalSeconds);
        }
    }

    private string Judge(string cluster, ChannelLine line, CancellationToken stopping)
    {
        if (line.Oversized)
        {
            var reason = $"line longer than {PowerProtocol.MaxLineBytes} bytes";
            Log.RequestRefused(logger, cluster, reason, "(dropped)");
            return "refused " + reason;
        }

        if (registry.FindByName(cluster)?.Spec is not { Workers.Elastic: not null } spec)
        {
            Log.RequestRefused(logger, cluster, "the cluster has no elastic range", PowerProtocol.Show(line.Bytes));
            return "refused the cluster has no elastic range";
        }

        var parse = PowerProtocol.Parse(line.Bytes, ClusterLayout.From(spec));
        if (parse.Request is not { } request)
        {
            Log.RequestRefused(logger, cluster, parse.Refusal!, PowerProtocol.Show(line.Bytes));
            return "refused " + parse.Refusal;
        }

        Log.RequestAccepted(logger, cluster, request.ToString());
        controllers.For(cluster).Submit(request, stopping);
        return "ok " + request;
    }

    private static async Task AnswerAsync(Stream stream, string answer, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(AnswerTimeout);
        // Answers are made of validated names and reasons that echo guest input only through PowerProtocol.Show.
        await stream.WriteAsync(Encoding.ASCII.GetBytes((answer.Length > 200 ? answer[..200] : answer) + "\n"), timeout.Token)
            .ConfigureAwait(false);
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, time, stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
