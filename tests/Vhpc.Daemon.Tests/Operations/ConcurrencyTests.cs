using Vhpc.Control.Protocol;
using Vhpc.Daemon.Tests.Doubles;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Operations;

[Tier(TestTier.Unit)]
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Two_applies_of_the_same_cluster_run_one_after_the_other()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\nworkers: 3\n");
        var engine = new FakeClusterEngine { StepGate = new SemaphoreSlim(0) };
        await using var daemon = await InProcessDaemon.Build(layout, engine).StartAsync();

        var first = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "c1"));
        await engine.StepReached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "c1"));

        // While the first holds the lock, `list` shows the running operation.
        var list = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.List));
        Assert.Equal("apply", Assert.Single(list.Clusters!).Operation);

        engine.StepGate.Release(1000);
        var results = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.True(r.Apply?.Succeeded, r.Error?.Message));
        Assert.Equal(1, engine.MaxConcurrentPerCluster);
        Assert.Equal(2, engine.Calls.Count(c => c == "apply c1"));
        Assert.Equal(4, engine.Objects["c1"].Count);
    }

    [Fact]
    public async Task Apply_racing_destroy_is_serialized_and_ends_consistent()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\n");
        layout.WriteCluster("c2.yaml", "name: c2\n");
        var engine = new FakeClusterEngine();
        await using var daemon = await InProcessDaemon.Build(layout, engine).StartAsync();

        for (var round = 0; round < 20; round++)
        {
            var apply = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "c1"));
            var destroy = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Destroy, "c1"));
            var other = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "c2"));
            var results = await Task.WhenAll(apply, destroy, other).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.All(results, r => Assert.Equal(ControlMessageKind.Result, r.Kind));

            // Whichever ran last decides: all nodes present, or none. Never half.
            var present = engine.Objects.TryGetValue("c1", out var set) ? set.Count : 0;
            Assert.True(present is 0 or 3, $"round {round}: {present} of 3 nodes present");
        }

        Assert.Equal(1, engine.MaxConcurrentPerCluster);
    }

    [Fact]
    public async Task Unknown_and_invalid_clusters_get_clear_errors()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("bad.yaml", "error: workers.count: must be between 0 and 64\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var unknown = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "nope"));
        Assert.Equal(ControlErrorCode.UnknownCluster, unknown.Error?.Code);

        var invalid = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "bad"));
        Assert.Equal(ControlErrorCode.InvalidSpec, invalid.Error?.Code);
        Assert.Contains("workers.count: must be between 0 and 64", invalid.Error!.Detail, StringComparison.Ordinal);

        var validation = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Validate, "bad"));
        Assert.False(validation.Validation!.Valid);
        Assert.DoesNotContain(daemon.Engine.Calls, c => c.StartsWith("apply", StringComparison.Ordinal));
    }
}
