using Microsoft.Extensions.DependencyInjection;
using Vhpc.Control.Protocol;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Clusters;

/// <summary>Reloading clusters.d: added, changed, removed, and bad files (which keep the previous good version).</summary>
[Tier(TestTier.Unit)]
public sealed class ReloadTests
{
    [Fact]
    public async Task Reload_picks_up_added_changed_and_removed_files_and_keeps_the_good_version_of_a_bad_one()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("a.yaml", "name: a\nworkers: 2\n");
        layout.WriteCluster("b.yaml", "name: b\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();
        var reload = daemon.Host.Services.GetRequiredService<ClusterReloadService>();

        layout.WriteCluster("a.yaml", "name: a\nworkers: 5\n");          // changed
        layout.WriteCluster("c.yml", "name: c\n");                       // added
        File.Delete(Path.Combine(layout.ClustersDirectory, "b.yaml"));   // removed
        layout.WriteCluster("notes.txt", "name: ignored\n");             // not a cluster file
        await ReloadAsync(reload);

        var clusters = await ListAsync(daemon);
        Assert.Equal(["a", "c"], clusters.Select(c => c.Name));
        Assert.Equal(5, clusters[0].Workers);

        layout.WriteCluster("a.yaml", "name: a\nerror: workers.count: must be a number\n");
        await ReloadAsync(reload);
        clusters = await ListAsync(daemon);
        var a = clusters[0];
        Assert.True(a.Loaded, "the previous good version stays loaded");
        Assert.Equal(5, a.Workers);
        Assert.Contains(a.Errors, e => e.Contains("workers.count: must be a number", StringComparison.Ordinal));

        // Operations keep using the good version.
        var plan = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Plan, "a"));
        Assert.Equal(6, plan.Plan!.Actions.Count);
    }

    [Fact]
    public async Task Two_files_claiming_the_same_cluster_name_keep_the_first_and_reject_the_second()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("a.yaml", "name: same\n");
        layout.WriteCluster("b.yaml", "name: same\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var clusters = await ListAsync(daemon);
        Assert.True(clusters[0].Loaded);
        Assert.False(clusters[1].Loaded);
        Assert.Contains("already defined by", Assert.Single(clusters[1].Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_UTF8_is_rejected_with_its_name()
    {
        using var layout = new DaemonLayout();
        File.WriteAllBytes(Path.Combine(layout.ClustersDirectory, "bin.yaml"), [0x6e, 0x61, 0xff, 0xfe, 0x0a]);
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var entry = Assert.Single(await ListAsync(daemon));
        Assert.False(entry.Loaded);
        Assert.EndsWith("bin.yaml:1:1: (file): not valid UTF-8", Assert.Single(entry.Errors), StringComparison.Ordinal);
    }

    private static async Task ReloadAsync(ClusterReloadService reload)
    {
        var before = reload.ReloadCount;
        reload.RequestReload();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (reload.ReloadCount == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(reload.ReloadCount > before, "reload did not run");
    }

    private static async Task<IReadOnlyList<ClusterSummary>> ListAsync(InProcessDaemon daemon) =>
        (await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.List))).Clusters!;
}
