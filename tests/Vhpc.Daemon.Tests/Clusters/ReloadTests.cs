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

    [Fact]
    public async Task A_newcomer_declaring_a_loaded_name_is_refused_and_the_file_that_had_it_keeps_it()
    {
        // Before: files were taken in name order, so a.yaml (sorting first) took "same" over from
        // b.yaml at the next reload, and b.yaml kept a stale "already defined" error after a.yaml went.
        using var layout = new DaemonLayout();
        var holder = layout.WriteCluster("b.yaml", "name: same\nworkers: 5\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();
        var reload = daemon.Host.Services.GetRequiredService<ClusterReloadService>();

        var newcomer = layout.WriteCluster("a.yaml", "name: same\nworkers: 1\n");
        await ReloadAsync(reload);

        var clusters = await ListAsync(daemon);
        var refused = clusters.Single(c => c.File == newcomer);
        var kept = clusters.Single(c => c.File == holder);
        Assert.False(refused.Loaded);
        Assert.Equal($"{newcomer}:1:1: name: cluster 'same' is already defined by {holder}", Assert.Single(refused.Errors));
        Assert.True(kept.Loaded);
        Assert.Empty(kept.Errors);
        Assert.Equal(5, kept.Workers);
        var plan = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Plan, "same"));
        Assert.Equal(6, plan.Plan!.Actions.Count);

        File.Delete(newcomer);
        await ReloadAsync(reload);
        var only = Assert.Single(await ListAsync(daemon));
        Assert.Equal(holder, only.File);
        Assert.True(only.Loaded);
        Assert.Empty(only.Errors);
    }

    [Fact]
    public async Task A_holder_with_errors_keeps_its_name_against_a_newcomer_and_a_rename_frees_it()
    {
        using var layout = new DaemonLayout();
        var holder = layout.WriteCluster("b.yaml", "name: same\nworkers: 5\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();
        var reload = daemon.Host.Services.GetRequiredService<ClusterReloadService>();

        layout.WriteCluster("b.yaml", "name: same\nerror: typo\n");
        var newcomer = layout.WriteCluster("a.yaml", "name: same\nworkers: 1\n");
        await ReloadAsync(reload);
        var clusters = await ListAsync(daemon);
        Assert.Equal(5, clusters.Single(c => c.File == holder).Workers);
        Assert.True(clusters.Single(c => c.File == holder).Loaded, "the holder's previous good version stays");
        Assert.Contains("already defined by", Assert.Single(clusters.Single(c => c.File == newcomer).Errors), StringComparison.Ordinal);

        // The holder now names another cluster: the name is free and the waiting newcomer gets it.
        layout.WriteCluster("b.yaml", "name: other\n");
        await ReloadAsync(reload);
        clusters = await ListAsync(daemon);
        Assert.All(clusters, c => Assert.Empty(c.Errors));
        Assert.Equal("same", clusters.Single(c => c.File == newcomer).Name);
        Assert.Equal("other", clusters.Single(c => c.File == holder).Name);
    }

    [Fact]
    public async Task A_fifo_in_the_cluster_directory_does_not_block_the_reload()
    {
        // Before: File.ReadAllBytes opened the FIFO and waited for a writer, holding the registry's
        // lock, so every vhpc command hung and SIGTERM could not stop vhpcd.
        using var layout = new DaemonLayout();
        layout.WriteCluster("a.yaml", "name: a\n");
        var fifo = Path.Combine(layout.ClustersDirectory, "fifo.yaml");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();
        var reload = daemon.Host.Services.GetRequiredService<ClusterReloadService>();
        Assert.Equal(0, Mkfifo(fifo));
        try
        {
            await ReloadAsync(reload);

            var clusters = await ListAsync(daemon);
            Assert.True(clusters.Single(c => c.File.EndsWith("a.yaml", StringComparison.Ordinal)).Loaded);
            Assert.Equal($"{fifo}:1:1: (file): not a regular file (a FIFO)", Assert.Single(clusters.Single(c => c.File == fifo).Errors));
        }
        finally
        {
            UnblockReader(fifo);
        }
    }

    [Theory]
    [InlineData("/dev/zero", "a character device")]
    [InlineData("/dev/urandom", "a character device")]
    [InlineData("/dev/null", "a character device")]
    public async Task A_symlink_to_something_that_is_not_a_regular_file_is_refused_without_reading_it(string target, string kind)
    {
        // Before: a link to /dev/zero was read until vhpcd had grown by gigabytes and the reload
        // ended in OutOfMemoryException (or IOException at 2 GiB), for every file.
        using var layout = new DaemonLayout();
        layout.WriteCluster("a.yaml", "name: a\n");
        var link = Path.Combine(layout.ClustersDirectory, "z.yaml");
        File.CreateSymbolicLink(link, target);
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var clusters = await ListAsync(daemon);
        Assert.True(clusters.Single(c => c.File.EndsWith("a.yaml", StringComparison.Ordinal)).Loaded);
        Assert.Equal($"{link}:1:1: (file): not a regular file ({kind})", Assert.Single(clusters.Single(c => c.File == link).Errors));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_after_reading_at_most_one_byte_past_it()
    {
        using var layout = new DaemonLayout();
        var big = layout.WriteCluster("big.yaml", "name: big\n" + new string('#', 2 * 1024 * 1024));
        var linked = Path.Combine(layout.ClustersDirectory, "linked.yaml");
        File.CreateSymbolicLink(linked, big);
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var clusters = await ListAsync(daemon);
        Assert.All(clusters, c => Assert.False(c.Loaded));
        Assert.Equal($"{big}:1:1: (file): larger than 1048576 bytes, the most a cluster file may have", Assert.Single(clusters.Single(c => c.File == big).Errors));
        Assert.Equal($"{linked}:1:1: (file): larger than 1048576 bytes, the most a cluster file may have", Assert.Single(clusters.Single(c => c.File == linked).Errors));
    }

    [Fact]
    public async Task Commands_are_answered_while_a_reload_is_reading_its_files()
    {
        // The registry's lock covers only the swap of the parsed result, never reading or parsing.
        using var layout = new DaemonLayout();
        layout.WriteCluster("a.yaml", "name: a\n");
        var slow = new SlowSpecReader();
        await using var daemon = await InProcessDaemon.Build(layout, configure: b => b.Services.AddSingleton<IClusterSpecReader>(slow)).StartAsync();
        var reload = daemon.Host.Services.GetRequiredService<ClusterReloadService>();

        layout.WriteCluster("b.yaml", "name: b\n");
        slow.Hold("b.yaml");
        reload.RequestReload();
        Assert.True(await slow.Reached.WaitAsync(TimeSpan.FromSeconds(10)), "the reload did not reach b.yaml");
        try
        {
            using var answer = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var clusters = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.List), cancellationToken: answer.Token);
            Assert.Equal(["a"], clusters.Clusters!.Select(c => c.Name));
        }
        finally
        {
            slow.Release();
        }

        await ReloadAsync(reload, alreadyRequested: true);
        Assert.Equal(["a", "b"], (await ListAsync(daemon)).Select(c => c.Name));
    }

    private static async Task ReloadAsync(ClusterReloadService reload, bool alreadyRequested = false)
    {
        var before = alreadyRequested ? 0 : reload.ReloadCount;
        if (!alreadyRequested)
        {
            reload.RequestReload();
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (reload.ReloadCount == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(reload.ReloadCount > before, "reload did not run");
    }

    private static async Task<IReadOnlyList<ClusterSummary>> ListAsync(InProcessDaemon daemon) =>
        (await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.List))).Clusters!;

    private static int Mkfifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        return mkfifo.ExitCode;
    }

    /// <summary>A reader still blocked in open(2) on the FIFO (the defect) gets a writer, so the test can end.</summary>
    private static void UnblockReader(string fifo)
    {
        var writer = Task.Run(() =>
        {
            using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        });
        writer.Wait(TimeSpan.FromSeconds(2));
    }

    /// <summary>The line reader, except that it waits in Read for one file until released.</summary>
    private sealed class SlowSpecReader : IClusterSpecReader
    {
        private readonly Doubles.LineSpecReader _inner = new();
        private readonly ManualResetEventSlim _release = new(false);
        private string? _held;

        public SemaphoreSlim Reached { get; } = new(0);

        public void Hold(string fileName) => _held = fileName;

        public void Release() => _release.Set();

        public ClusterSpecReadResult Read(string path, string text)
        {
            if (_held is not null && path.EndsWith(_held, StringComparison.Ordinal))
            {
                Reached.Release();
                _release.Wait(TimeSpan.FromSeconds(30));
            }

            return _inner.Read(path, text);
        }
    }
}
