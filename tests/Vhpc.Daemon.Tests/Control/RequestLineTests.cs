using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Vhpc.Control.Protocol;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Control;

/// <summary>Whatever the request line is, a client that sent one gets one answer line.</summary>
[Tier(TestTier.Unit)]
public sealed class RequestLineTests
{
    [Theory]
    [InlineData("null", "bad request: the request line is JSON null, not a request object")]
    [InlineData("  null ", "bad request: the request line is JSON null, not a request object")]
    [InlineData("", "bad request: ")]
    [InlineData("[]", "bad request: ")]
    [InlineData("{\"command\":\"nosuch\"}", "bad request: ")]
    public async Task A_line_that_is_not_a_request_gets_a_bad_request_answer(string line, string message)
    {
        // Before: "null" deserialized to no request and the connection was closed without an answer.
        using var layout = new DaemonLayout();
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var answer = await SendRawAsync(layout.SocketPath, line);

        Assert.NotNull(answer);
        var reply = JsonSerializer.Deserialize(answer, ControlJsonContext.Default.ControlMessage)!;
        Assert.Equal(ControlMessageKind.Error, reply.Kind);
        Assert.Equal(ControlErrorCode.BadRequest, reply.Error!.Code);
        Assert.StartsWith(message, reply.Error.Message, StringComparison.Ordinal);
    }

    private static async Task<string?> SendRawAsync(string socketPath, string line)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await reader.ReadLineAsync(timeout.Token);
    }
}
