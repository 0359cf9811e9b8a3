using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vhpc.Control.Protocol;
using Vhpc.Daemon.Tests.Doubles;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Operations;

[Tier(TestTier.Unit)]
public sealed class GracefulStopTests
{
    [Fact]
    public async Task Stopping_mid_apply_finishes_the_current_step_stops_at_a_safe_point_and_destroys_nothing()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\n");
        var engine = new FakeClusterEngine { StepGate = new SemaphoreSlim(0) };
        var daemon = await InProcessDaemon.Build(layout, engine).StartAsync();

        var progress = new List<ProgressInfo>();
        var apply = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "c1"), new SyncProgress(progress));
        await engine.StepReached.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stop = daemon.Host.StopAsync();

        // Stop waits for the step in flight.
        await Task.Delay(500);
        Assert.False(stop.IsCompleted, "the host must wait for the running step");
        engine.StepGate.Release(1000);
        await stop.WaitAsync(TimeSpan.FromSeconds(30));

        var final = await apply.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ControlErrorCode.ShuttingDown, final.Error?.Code);
        Assert.Contains("stopped at a safe point", final.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(1, engine.StepsCompleted);
        Assert.DoesNotContain(engine.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));
        Assert.Contains(progress, p => p is { Step: "define", State: "succeeded" });
        Assert.False(File.Exists(layout.SocketPath), "the socket is removed on stop");
        daemon.Host.Dispose();
    }

    [Fact]
    public async Task A_new_apply_after_stop_began_is_refused_with_shutting_down()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\n");
        var engine = new FakeClusterEngine { StepGate = new SemaphoreSlim(0) };
        await using var daemon = await InProcessDaemon.Build(layout, engine).StartAsync();
        var first = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "c1"));
        await engine.StepReached.Task.WaitAsync(TimeSpan.FromSeconds(10));

        daemon.Host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var stop = daemon.Host.StopAsync();
        await Task.Delay(300);

        // The socket still answers while the running apply drains, and says why it refuses.
        var second = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "c1"));
        Assert.Equal(ControlErrorCode.ShuttingDown, second.Error?.Code);

        engine.StepGate.Release(1000);
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ControlErrorCode.ShuttingDown, (await first).Error?.Code);
    }

    private sealed class SyncProgress(List<ProgressInfo> sink) : IProgress<ProgressInfo>
    {
        public void Report(ProgressInfo value)
        {
            lock (sink)
            {
                sink.Add(value);
            }
        }
    }
}
