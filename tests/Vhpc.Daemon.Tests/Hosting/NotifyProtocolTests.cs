using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Vhpc.Daemon.Tests.Doubles;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Hosting;

/// <summary>
/// The sd_notify protocol as AddSystemd() speaks it, against a datagram socket this test binds. In this
/// process SystemdHelpers says "not under systemd", so the test registers the same lifetime and
/// notifier AddSystemd() would; the real vhpcd under a systemd parent is covered by the process tests.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class NotifyProtocolTests
{
    [Fact]
    public async Task Ready_is_sent_only_after_clusters_are_loaded_and_libvirt_answers_and_stopping_on_stop()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\n");
        using var notify = new NotifyListener(layout.Root + "/notify");
        var engine = new FakeClusterEngine { StatusGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };

        // The notifier AddSystemd() would make from NOTIFY_SOCKET, given the path directly: setting the
        // variable would change it for every test running in parallel.
        ISystemdNotifier notifier = NotifierFor(notify.Path);

        Assert.True(notifier.IsEnabled, "SystemdNotifier did not pick up NOTIFY_SOCKET");
        await using var daemon = InProcessDaemon.Build(layout, engine, builder =>
        {
            builder.Services.AddSingleton(notifier);
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        });

        var start = daemon.StartAsync();

        // libvirt (the status probe) was asked and has not answered: no READY=1 yet, host not started.
        for (var i = 0; i < 300 && !engine.Calls.Contains("status c1"); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains("status c1", engine.Calls);
        Assert.Null(await notify.ReceiveAsync(TimeSpan.FromSeconds(2)));
        Assert.False(start.IsCompleted);

        engine.StatusGate.SetResult();
        var before = await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(before, m => m.Contains("STOPPING=1", StringComparison.Ordinal));
        await start;

        // READY=1 means the socket answers.
        var list = await daemon.Client.RequestAsync(new Vhpc.Control.Protocol.ControlRequest(Vhpc.Control.Protocol.ControlCommand.List));
        Assert.Equal("c1", Assert.Single(list.Clusters!).Name);

        var lifetime = daemon.Host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.StopApplication();
        await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(15));
    }

    /// <summary>SystemdNotifier's constructor that takes the socket path (the public one reads NOTIFY_SOCKET).</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern SystemdNotifier NotifierFor(string socketPath);
}
