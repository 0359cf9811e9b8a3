using System.Net;
using System.Net.Sockets;
using Vhpc.Guests.Ssh;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>The TCP probe status uses for port 22, against listeners on 127.0.0.1 only.</summary>
[Tier(TestTier.Unit)]
public class StatusProbeTests
{
    [Fact]
    public async Task A_listening_port_accepts_and_a_closed_one_does_not()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var open = (IPEndPoint)listener.LocalEndpoint;
            Assert.True(await new TcpProbe().AcceptsAsync(open, TimeSpan.FromSeconds(5), default));
        }
        finally
        {
            listener.Stop();
        }

        var closed = LoopbackPorts.Closed();
        Assert.False(await new TcpProbe().AcceptsAsync(closed, TimeSpan.FromSeconds(5), default));
    }

    [Fact]
    public async Task A_port_that_never_completes_the_handshake_is_not_answering_after_the_timeout()
    {
        // A listener whose accept queue is full drops further SYNs: the connect neither succeeds nor fails.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen(0);
        var endpoint = (IPEndPoint)server.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            using var fill = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (true)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                try
                {
                    await filler.ConnectAsync(endpoint, fill.Token);
                }
                catch (OperationCanceledException)
                {
                    break; // the queue is full now
                }

                Assert.True(fillers.Count < 64, "the accept queue never filled up");
            }

            Assert.False(await new TcpProbe().AcceptsAsync(endpoint, TimeSpan.FromMilliseconds(500), default));
        }
        finally
        {
            fillers.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_mistaken_for_a_timeout()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new TcpProbe().AcceptsAsync(LoopbackPorts.Closed(), TimeSpan.FromSeconds(5), cancelled.Token));
    }
}

internal static class LoopbackPorts
{
    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static IPEndPoint Closed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        return endpoint;
    }
}

/// <summary>
/// The real TCP probe, pointed from each node's fixed address to a port on 127.0.0.1 (so that no
/// traffic leaves the machine); records which endpoints status asked for.
/// </summary>
internal sealed class LoopbackProbe(IReadOnlyDictionary<IPAddress, IPEndPoint> loopback) : ITcpProbe
{
    private readonly TcpProbe _real = new();

    public System.Collections.Concurrent.ConcurrentBag<IPEndPoint> Asked { get; } = [];

    public Task<bool> AcceptsAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Asked.Add(endpoint);
        return _real.AcceptsAsync(loopback.TryGetValue(endpoint.Address, out var target) ? target : LoopbackPorts.Closed(), timeout, cancellationToken);
    }
}
