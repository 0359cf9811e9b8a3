using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Configuration;
using Vhpc.Posix;

namespace Vhpc.Daemon.Control;

/// <summary>
/// The control socket. It is bound inside a private 0700 directory, given mode 0660 and its group there,
/// and only then renamed into place, so there is no moment when the path exists with wider permissions.
/// Each connection's peer is checked with SO_PEERCRED before a request is read.
/// </summary>
internal sealed class ControlSocketServer : BackgroundService
{
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode StagingMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(10);

    private readonly VhpcdOptions _options;
    private readonly ControlRequestHandler _handler;
    private readonly ILogger<ControlSocketServer> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private Socket? _listener;
    private uint _socketGroup;
    private uint _daemonUser;

    public ControlSocketServer(IOptions<VhpcdOptions> options, ControlRequestHandler handler, ILogger<ControlSocketServer> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _handler = handler;
        _logger = logger;
        _time = time;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Bind before the host reports started, so READY=1 implies the socket accepts connections.
        _listener = Bind();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Cancel the accept loop first, then close the listener (closing first would fail the pending accept).
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        CloseListener();
        try
        {
            await Task.WhenAll(_connections.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Connection handlers log their own failures.
        }
    }

    public override void Dispose()
    {
        CloseListener();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _listener ?? throw new InvalidOperationException("The control socket is not bound.");
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex) when (stoppingToken.IsCancellationRequested || ex.SocketErrorCode == SocketError.OperationAborted)
            {
                break;
            }

            var connection = ServeAsync(client, stoppingToken);
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(t => _connections.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        await Task.Yield();
        using (client)
        {
            PeerCredentials peer;
            try
            {
                peer = PeerCredentials.Of(client);
            }
            catch (SocketException)
            {
                return;
            }

            await using var stream = new NetworkStream(client, ownsSocket: false);

            // A client gets a few seconds to send its one request line; an idle connection is not a reason to hold a task.
            using var requestDeadline = new CancellationTokenSource(RequestReadTimeout, _time);
            if (!peer.MayUse(_socketGroup, _daemonUser))
            {
                Log.PeerRefused(_logger, peer.UserId, peer.GroupId, peer.ProcessId, _options.SocketGroup);
                await ControlRequestHandler.RefuseAsync(stream, _options.SocketGroup, requestDeadline.Token, stoppingToken).ConfigureAwait(false);
                return;
            }

            await _handler.HandleAsync(stream, peer, requestDeadline.Token, stoppingToken).ConfigureAwait(false);
        }
    }

    private Socket Bind()
    {
        var path = _options.SocketPath;
        _socketGroup = UnixGroup.Resolve(_options.SocketGroup)
            ?? throw new FatalStartupException(
                $"socket group '{_options.SocketGroup}' does not exist (create it with: groupadd --system {_options.SocketGroup}, or set Vhpcd:SocketGroup)");
        _daemonUser = ProcessIdentity.EffectiveUserId;

        var directory = Path.GetDirectoryName(path) ?? "/";
        Directory.CreateDirectory(directory);
        if (File.Exists(path))
        {
            if (SomeoneListens(path))
            {
                throw new FatalStartupException($"another vhpcd already listens on {path}");
            }

            Log.StaleSocket(_logger, path);
        }

        var staging = Path.Combine(directory, $".vhpcd-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging, StagingMode);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            var staged = Path.Combine(staging, "s");
            socket.Bind(new UnixDomainSocketEndPoint(staged));
            socket.Listen(64);
            File.SetUnixFileMode(staged, SocketMode);
            if (FileOwnership.ChangeGroup(staged, _socketGroup) is var errno and not 0)
            {
                throw new FatalStartupException(
                    $"cannot give {path} to group '{_options.SocketGroup}' (gid {_socketGroup}): {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            // rename(2) replaces any stale socket atomically; the new one already has its final mode.
            File.Move(staged, path, overwrite: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }

        Log.Listening(_logger, path, _options.SocketGroup);
        return socket;
    }

    private static bool SomeoneListens(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void CloseListener()
    {
        var listener = Interlocked.Exchange(ref _listener, null);
        if (listener is null)
        {
            return;
        }

        listener.Dispose();
        try
        {
            File.Delete(_options.SocketPath);
            Log.SocketRemoved(_logger, _options.SocketPath);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
