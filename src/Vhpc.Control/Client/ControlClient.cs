using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Vhpc.Control.Protocol;

namespace Vhpc.Control.Client;

/// <summary>
/// Talks to vhpcd over its Unix socket: one request per connection, answered by newline-delimited JSON
/// messages (progress lines, then one result or error line).
/// </summary>
public sealed class ControlClient
{
    public ControlClient(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Sends the request and yields every message vhpcd answers with, in order.</summary>
    public async IAsyncEnumerable<ControlMessage> SendAsync(
        ControlRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            var error = ex.SocketErrorCode;
            if (error == SocketError.AddressNotAvailable || !File.Exists(SocketPath))
            {
                error = SocketError.AddressNotAvailable;
            }

            // The socket carries vhpcd's configured group; name that one, not a default.
            var group = error == SocketError.AccessDenied ? SocketGroup.Of(SocketPath) : null;
            throw new DaemonUnreachableException(SocketPath, error, ex, group);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var json = JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        try
        {
            await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // vhpcd may answer and close before reading (a refused peer); its answer is still ours to read.
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var finished = false;
        while (!finished)
        {
            string? text;
            try
            {
                text = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new DaemonUnreachableException($"vhpcd closed the connection on {SocketPath}: {ex.Message}", ex);
            }

            if (text is null)
            {
                throw new DaemonUnreachableException($"vhpcd closed the connection on {SocketPath} before answering");
            }

            var message = JsonSerializer.Deserialize(text, ControlJsonContext.Default.ControlMessage)
                ?? throw new DaemonUnreachableException($"vhpcd sent an empty message on {SocketPath}");
            finished = message.Kind != ControlMessageKind.Progress;
            yield return message;
        }
    }

    /// <summary>Sends the request, reports progress lines, and returns the final result or error message.</summary>
    public async Task<ControlMessage> RequestAsync(
        ControlRequest request,
        IProgress<ProgressInfo>? progress = null,
        CancellationToken cancellationToken = default)
    {
        await foreach (var message in SendAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (message.Kind == ControlMessageKind.Progress)
            {
                if (message.Progress is not null)
                {
                    progress?.Report(message.Progress);
                }

                continue;
            }

            return message;
        }

        throw new DaemonUnreachableException($"vhpcd closed the connection on {SocketPath} before answering");
    }
}
