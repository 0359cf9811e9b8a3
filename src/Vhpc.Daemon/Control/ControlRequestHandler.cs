using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Control.Protocol;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Daemon.Operations;
using Vhpc.Engine.Progress;
using Vhpc.Spec;

namespace Vhpc.Daemon.Control;

/// <summary>Reads one request line from an authorized peer and answers it (progress lines, then one final line).</summary>
internal sealed class ControlRequestHandler
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    private readonly ClusterRegistry _registry;
    private readonly ClusterOperations _operations;
    private readonly ProgressHub _hub;
    private readonly VhpcdOptions _options;
    private readonly ILogger<ControlRequestHandler> _logger;

    public ControlRequestHandler(
        ClusterRegistry registry,
        ClusterOperations operations,
        ProgressHub hub,
        IOptions<VhpcdOptions> options,
        ILogger<ControlRequestHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _operations = operations;
        _hub = hub;
        _options = options.Value;
        _logger = logger;
    }

    public static async Task RefuseAsync(Stream stream, string group, CancellationToken requestDeadline, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // Read (and ignore) the request first: closing with unread data would reset the connection
        // and the client could lose the explanation.
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestDeadline, stoppingToken);
            await ReadLineAsync(stream, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or OperationCanceledException or IOException)
        {
        }

        try
        {
            await WriteAsync(stream, Failure(ControlErrorCode.PermissionDenied, $"permission denied: only root and members of group '{group}' may use vhpcd"), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }
    }

    public async Task HandleAsync(Stream stream, PeerCredentials peer, CancellationToken requestDeadline, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(peer);
        ControlRequest request;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestDeadline, stoppingToken);
            var line = await ReadLineAsync(stream, linked.Token).ConfigureAwait(false);
            if (line is null)
            {
                // The client closed without sending a line: nobody to answer.
                return;
            }

            // "null" is valid JSON that deserializes to no request; it deserves an answer like any bad line.
            request = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlRequest)
                ?? throw new JsonException("the request line is JSON null, not a request object");
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or OperationCanceledException or IOException)
        {
            Log.BadRequest(_logger, peer.UserId, ex.Message);
            await TryWriteAsync(stream, Failure(ControlErrorCode.BadRequest, $"bad request: {ex.Message}"), ControlCommand.List).ConfigureAwait(false);
            return;
        }

        Log.Request(_logger, request.Command.ToString(), request.Cluster ?? "-", peer.UserId);
        ControlMessage final;
        try
        {
            final = request.Command switch
            {
                ControlCommand.List => new ControlMessage
                {
                    Kind = ControlMessageKind.Result,
                    Clusters = [.. _registry.Entries.Select(e => e.ToSummary(e.Name is null ? null : _operations.CurrentOperation(e.Name)))],
                },
                ControlCommand.Validate => Validate(request),
                ControlCommand.Plan => await WithSpecAsync(request, async spec =>
                    new ControlMessage { Kind = ControlMessageKind.Result, Plan = (await _operations.PlanAsync(spec, stoppingToken).ConfigureAwait(false)).ToInfo() }).ConfigureAwait(false),
                ControlCommand.Status => await WithSpecAsync(request, async spec =>
                    new ControlMessage { Kind = ControlMessageKind.Result, Status = (await _operations.StatusAsync(spec, stoppingToken).ConfigureAwait(false)).ToInfo() }).ConfigureAwait(false),
                ControlCommand.Apply => await WithSpecAsync(request, spec => StreamAsync(stream, request.Command, progress => _operations.ApplyAsync(spec, new Vhpc.Engine.ApplyOptions(request.Reconfigure == true), progress),
                    r => new ControlMessage { Kind = ControlMessageKind.Result, Apply = r.ToInfo() }, stoppingToken)).ConfigureAwait(false),
                ControlCommand.Destroy => await WithSpecAsync(request, spec => StreamAsync(stream, request.Command, progress => _operations.DestroyAsync(spec, progress),
                    r => new ControlMessage { Kind = ControlMessageKind.Result, Destroy = r.ToInfo() }, stoppingToken)).ConfigureAwait(false),
                ControlCommand.Watch => await WatchAsync(stream, stoppingToken).ConfigureAwait(false),
                ControlCommand.NodeAccess => await NodeAccessAsync(request, stoppingToken).ConfigureAwait(false),
                ControlCommand.Console => await ConsoleAsync(request, stoppingToken).ConfigureAwait(false),
                ControlCommand.Check => await WithSpecAsync(request, spec => StreamAsync(stream, request.Command, progress => _operations.CheckAsync(spec, progress, stoppingToken),
                    r => new ControlMessage { Kind = ControlMessageKind.Result, Check = r.ToInfo() }, stoppingToken)).ConfigureAwait(false),
                _ => Failure(ControlErrorCode.BadRequest, $"unknown command {request.Command}"),
            };
        }
        catch (ShuttingDownException ex)
        {
            final = Failure(ControlErrorCode.ShuttingDown, ex.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            final = Failure(ControlErrorCode.ShuttingDown, "vhpcd is stopping");
        }
#pragma warning disable CA1031 // Any engine failure becomes one error line for the client, never a dropped connection.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RequestFailed(_logger, request.Command.ToString(), request.Cluster ?? "-", ex.Message, ex);
            final = Failure(ControlErrorCode.OperationFailed, ex.Message, ex.ToString());
        }

        if (request.Command != ControlCommand.Watch)
        {
            await TryWriteAsync(stream, final, request.Command).ConfigureAwait(false);
        }
    }

    private ControlMessage Validate(ControlRequest request)
    {
        var entry = Find(request.Cluster);
        if (entry is null)
        {
            return UnknownCluster(request.Cluster);
        }

        return new ControlMessage { Kind = ControlMessageKind.Result, Validation = new ValidationInfo(entry.File, entry.Errors.Count == 0, entry.Errors) };
    }

    private async Task<ControlMessage> WithSpecAsync(ControlRequest request, Func<ClusterSpec, Task<ControlMessage>> run)
    {
        var entry = Find(request.Cluster);
        if (entry is null)
        {
            return UnknownCluster(request.Cluster);
        }

        if (entry.Spec is null)
        {
            return Failure(ControlErrorCode.InvalidSpec,
                $"cluster file {entry.File} has {entry.Errors.Count} error{(entry.Errors.Count == 1 ? "" : "s")} (run: vhpc validate -f {entry.File})",
                string.Join('\n', entry.Errors));
        }

        return await run(entry.Spec).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a cluster-changing operation and streams its progress to the client. The operation is the
    /// daemon's: if the client goes away we stop writing, and the operation carries on.
    /// </summary>
    private async Task<ControlMessage> StreamAsync<T>(
        Stream stream,
        ControlCommand command,
        Func<IProgress<ProgressEvent>, Task<T>> start,
        Func<T, ControlMessage> result,
        CancellationToken stoppingToken)
    {
        var events = Channel.CreateUnbounded<ProgressEvent>(new UnboundedChannelOptions { SingleReader = true });
        var operation = start(new ChannelProgress(events.Writer));
        _ = operation.ContinueWith(_ => events.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var clientGone = false;
        await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (!clientGone)
            {
                clientGone = !await TryWriteAsync(stream, new ControlMessage { Kind = ControlMessageKind.Progress, Progress = e.ToInfo() }, command).ConfigureAwait(false);
            }
        }

        return result(await operation.ConfigureAwait(false));
    }

    private async Task<ControlMessage> WatchAsync(Stream stream, CancellationToken stoppingToken)
    {
        using var subscription = _hub.Subscribe();
        using var clientClosed = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);

        // The client sends nothing more; end of its stream means it went away.
        _ = Task.Run(async () =>
        {
            var buffer = new byte[64];
            try
            {
                while (await stream.ReadAsync(buffer, clientClosed.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }

            await clientClosed.CancelAsync().ConfigureAwait(false);
        }, CancellationToken.None);

        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(clientClosed.Token).ConfigureAwait(false))
            {
                if (!await TryWriteAsync(stream, new ControlMessage { Kind = ControlMessageKind.Progress, Progress = e.ToInfo() }, ControlCommand.Watch).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return new ControlMessage { Kind = ControlMessageKind.Result };
    }

    private async Task<ControlMessage> NodeAccessAsync(ControlRequest request, CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(request.Node))
        {
            return Failure(ControlErrorCode.BadRequest, "no node named");
        }

        var candidates = request.Cluster is null
            ? _registry.Entries.Where(e => e.Spec is not null).ToList()
            : Find(request.Cluster) is { Spec: not null } one ? [one] : [];
        if (request.Cluster is not null && candidates.Count == 0)
        {
            return UnknownCluster(request.Cluster);
        }

        foreach (var spec in candidates.Select(e => e.Spec!))
        {
            if (await _operations.NodeAccessAsync(spec, request.Node, stoppingToken).ConfigureAwait(false) is not { } node)
            {
                continue;
            }

            if (node.Address is null)
            {
                return Failure(ControlErrorCode.OperationFailed, $"node {node.Node} of cluster {spec.Name} has no address yet (state {node.State})");
            }

            return new ControlMessage
            {
                Kind = ControlMessageKind.Result,
                NodeAccess = new NodeAccessInfo(spec.Name, node.Node, node.Address, node.User, node.PrivateKeyPath, node.KnownHostsPath, _options.NetworkNamespace),
            };
        }

        return Failure(ControlErrorCode.UnknownNode, $"no node {request.Node} in {(request.Cluster is null ? "any loaded cluster" : "cluster " + request.Cluster)}");
    }

    private async Task<ControlMessage> ConsoleAsync(ControlRequest request, CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(request.Node))
        {
            return Failure(ControlErrorCode.BadRequest, "no node named");
        }

        var entries = request.Cluster is null
            ? _registry.Entries.Where(e => e.Spec is not null).ToList()
            : Find(request.Cluster) is { Spec: not null } one ? [one] : [];
        var lines = request.Lines is { } wanted ? Math.Clamp(wanted, 1, 100_000) : (int?)null;
        foreach (var spec in entries.Select(e => e.Spec!))
        {
            if (await _operations.ConsoleAsync(spec, request.Node, lines, stoppingToken).ConfigureAwait(false) is not { } console)
            {
                continue;
            }

            if (console.Lines is null)
            {
                return Failure(ControlErrorCode.OperationFailed, $"node {console.Node} has no console log yet at {console.LogPath} (has it been started?)");
            }

            return new ControlMessage { Kind = ControlMessageKind.Result, Console = new ConsoleInfo(spec.Name, console.Node, console.LogPath, console.Lines) };
        }

        return Failure(ControlErrorCode.UnknownNode, $"no node {request.Node} in {(request.Cluster is null ? "any loaded cluster" : "cluster " + request.Cluster)}");
    }

    private ClusterEntry? Find(string? cluster) => string.IsNullOrEmpty(cluster) ? null : _registry.FindByName(cluster);

    private static ControlMessage UnknownCluster(string? cluster) => string.IsNullOrEmpty(cluster)
        ? Failure(ControlErrorCode.BadRequest, "no cluster named")
        : Failure(ControlErrorCode.UnknownCluster, $"no cluster named {cluster} is loaded (see: vhpc list)");

    private static ControlMessage Failure(ControlErrorCode code, string message, string? detail = null) =>
        new() { Kind = ControlMessageKind.Error, Error = new ControlError(code, message, detail) };

    /// <summary>
    /// Writes one line, bounded by its own timeout rather than by the stopping token: replies such as
    /// "stopped at a safe point" are written while vhpcd stops, and a half-written line would corrupt the stream.
    /// </summary>
    private async Task<bool> TryWriteAsync(Stream stream, ControlMessage message, ControlCommand command)
    {
        try
        {
            using var timeout = new CancellationTokenSource(WriteTimeout);
            await WriteAsync(stream, message, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            Log.ClientGone(_logger, command.ToString(), ex.Message);
            return false;
        }
    }

    private static async Task WriteAsync(Stream stream, ControlMessage message, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.ControlMessage);
        var line = new byte[bytes.Length + 1];
        bytes.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One line, at most <see cref="ControlProtocol.MaxRequestBytes"/>; null when the client closed first.</summary>
    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[ControlProtocol.MaxRequestBytes];
        var length = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(4096, buffer.Length - length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return length == 0 ? null : throw new InvalidDataException("request line not terminated by a newline");
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, newline);
            }

            if (length == buffer.Length)
            {
                throw new InvalidDataException($"request line longer than {ControlProtocol.MaxRequestBytes} bytes");
            }
        }
    }

    private sealed class ChannelProgress(ChannelWriter<ProgressEvent> writer) : IProgress<ProgressEvent>
    {
        public void Report(ProgressEvent value) => writer.TryWrite(value);
    }
}
