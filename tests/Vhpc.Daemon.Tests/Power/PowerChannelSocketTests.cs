using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Daemon.Power;
using Vhpc.Daemon.Tests.Doubles;
using Vhpc.Engine.Power;
using Vhpc.Spec;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Power;

/// <summary>
/// The service against a real Unix socket standing in for the one libvirt binds: vhpcd connects by
/// itself, makes the socket 0600, answers a request, and connects again after the other end went away
/// (the management domain restarted). The channel directory is made 0700.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class PowerChannelSocketTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vhpc-power-socket-").FullName;

    [Fact]
    public async Task Vhpcd_connects_to_the_bound_socket_answers_and_reconnects()
    {
        var clusters = Directory.CreateDirectory(Path.Combine(_root, "clusters")).FullName;
        var channels = Path.Combine(_root, "channels");
        File.WriteAllText(Path.Combine(clusters, "e1.yaml"), "name: e1\n");
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var registry = new ClusterRegistry(new ElasticReader(), Options.Create(new VhpcdOptions { ClustersDirectory = clusters }),
            factory.CreateLogger<ClusterRegistry>(), TimeProvider.System);
        registry.Reload();
        var engine = new PowerChannelTests.RecordingPowerEngine();
        var service = new PowerChannelService(registry, new PowerControllers(registry, engine, factory.CreateLogger<ClusterPowerController>()),
            Options.Create(new PowerChannelOptions { Directory = channels }), TimeProvider.System, factory.CreateLogger<PowerChannelService>());

        await service.StartAsync(CancellationToken.None);
        try
        {
            // The service makes the directory; "libvirt" binds the socket in it afterwards.
            for (var i = 0; i < 100 && !Directory.Exists(channels); i++)
            {
                await Task.Delay(50);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(channels));
            var path = Path.Combine(channels, "e1.sock");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, (UnixFileMode)0b111_111_101);
            listener.Listen(1);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            using (var guest = await listener.AcceptAsync(timeout.Token))
            {
                Assert.Equal("ok resume e1-w-02", await RequestAsync(guest, "resume e1-w-02\n", timeout.Token));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            // The domain restarted: vhpcd is back on the channel by itself.
            using (var guest = await listener.AcceptAsync(timeout.Token))
            {
                Assert.StartsWith("refused ", await RequestAsync(guest, "resume e1-w-01\n", timeout.Token), StringComparison.Ordinal);
            }

            await engine.WaitForAsync(1);
            Assert.Equal(["on e1-w-02"], engine.Calls);
            Assert.Equal(2, logs.Entries.Count(e => e.EventId == 4600));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<string> RequestAsync(Socket guest, string line, CancellationToken cancellationToken)
    {
        await guest.SendAsync(Encoding.ASCII.GetBytes(line), cancellationToken);
        var buffer = new byte[512];
        var answer = new StringBuilder();
        while (!answer.ToString().Contains('\n', StringComparison.Ordinal))
        {
            var n = await guest.ReceiveAsync(buffer, cancellationToken);
            Assert.True(n > 0, "vhpcd closed the channel without answering");
            answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return answer.ToString().TrimEnd('\n');
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class ElasticReader : IClusterSpecReader
    {
        public ClusterSpecReadResult Read(string path, string text)
        {
            var spec = Specs.Create("e1", workers: 1);
            return ClusterSpecReadResult.Valid(spec with { Workers = spec.Workers with { Elastic = new ElasticSpec(3, TimeSpan.FromMinutes(5)) } });
        }
    }
}
