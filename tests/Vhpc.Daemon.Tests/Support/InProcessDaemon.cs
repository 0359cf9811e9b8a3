using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vhpc.Control.Client;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Hosting;
using Vhpc.Daemon.Tests.Doubles;
using Vhpc.Engine;

namespace Vhpc.Daemon.Tests.Support;

/// <summary>vhpcd's real host, in this process, with the engine replaced by <see cref="FakeClusterEngine"/>.</summary>
internal sealed class InProcessDaemon : IAsyncDisposable
{
    private InProcessDaemon(DaemonLayout layout, IHost host, FakeClusterEngine engine)
    {
        Layout = layout;
        Host = host;
        Engine = engine;
        Client = new ControlClient(layout.SocketPath);
    }

    public DaemonLayout Layout { get; }

    public IHost Host { get; }

    public FakeClusterEngine Engine { get; }

    public ControlClient Client { get; }

    public static InProcessDaemon Build(DaemonLayout layout, FakeClusterEngine? engine = null, Action<HostApplicationBuilder>? configure = null)
    {
        if (!File.Exists(layout.ConfigFile))
        {
            layout.WriteConfig("{}");
        }

        engine ??= new FakeClusterEngine();
        var builder = DaemonHost.CreateBuilder(layout.Arguments, _ => null);
        builder.Services.AddSingleton<IClusterEngine>(engine);
        builder.Services.AddSingleton<IClusterSpecReader, LineSpecReader>();
        configure?.Invoke(builder);
        return new InProcessDaemon(layout, builder.Build(), engine);
    }

    public async Task<InProcessDaemon> StartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StartAsync(timeout.Token);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await Host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        Host.Dispose();
    }
}
