using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Power;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// Every management domain on a local libvirt carries the power channel, elastic or not, so making a
/// cluster elastic or not is a change of configuration, never a replaced management domain (replacing it
/// powered slurmctld off hard). Where a running domain is replaced (drift), it is shut down cleanly first.
/// Against libvirt's test driver (real XML parsers; the driver shuts a domain down at once).
/// </summary>
[Tier(TestTier.Unit)]
[Collection(TestDriverState.Name)]
public sealed class PowerChannelDomainTests : IDisposable
{
    private readonly DirectoryInfo _channels = Directory.CreateTempSubdirectory("vte-channels-");

    public void Dispose() => _channels.Delete(recursive: true);

    private static (ClusterEngine Engine, CapturingLoggerProvider Logs) Engine(TestDriverHarness h, string? directory)
    {
        var logs = new CapturingLoggerProvider();
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var engine = TestDriverHarness.CreateEngine(new SharedTestDriver(h.Connection), h.Uploads, loggers,
            powerChannels: Options.Create(new PowerChannelOptions { Directory = directory }));
        return (engine, logs);
    }

    private static ClusterSpec Elastic(ClusterSpec spec, int max) =>
        spec with { Workers = spec.Workers with { Elastic = new ElasticSpec(max, TimeSpan.FromMinutes(1)) } };

    private static (Guid Uuid, bool Active, string? Channel) Domain(TestDriverHarness h, string node)
    {
        using var domain = h.Connection.LookupDomain(node) ?? throw new InvalidOperationException($"{node} is not defined");
        return (domain.Uuid, domain.IsActive, DomainXml.ParsePowerChannelPath(domain.GetXml()));
    }

    [Fact]
    public async Task Turning_elasticity_on_or_off_replaces_no_domain()
    {
        using var h = new TestDriverHarness();
        var (engine, logs) = Engine(h, _channels.FullName);
        var plain = h.Spec(workers: 1);
        var management = ClusterLayout.From(plain).Management.Name;
        var worker = h.Cluster + "-w-01";
        Assert.True((await engine.ApplyAsync(plain, h.Progress, default)).Succeeded);
        var before = (Management: Domain(h, management), Worker: Domain(h, worker));
        // Not elastic, and still the channel: vhpcd serves it only once the cluster is elastic.
        Assert.Equal(Path.Combine(_channels.FullName, h.Cluster + ".sock"), before.Management.Channel);
        Assert.True(before.Management.Active);

        // On: the range's new workers are declared, nothing that exists is replaced or stopped.
        var elastic = Elastic(plain, max: 3);
        var on = await engine.PlanAsync(elastic, default);
        Assert.DoesNotContain(on.Actions, a => a.Target == ObjectKind.Domain && a.Kind is ActionKind.Replace or ActionKind.Delete);
        Assert.Equal([h.Cluster + "-w-02", h.Cluster + "-w-03"],
            on.Actions.Where(a => a is { Target: ObjectKind.Domain, Kind: ActionKind.Create }).Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.True((await engine.ApplyAsync(elastic, h.Progress, default)).Succeeded);
        Assert.Equal(before.Management, Domain(h, management));
        Assert.Equal(before.Worker, Domain(h, worker));
        Assert.False(Domain(h, h.Cluster + "-w-02").Active);
        Assert.True((await engine.PlanAsync(elastic, default)).IsEmpty);

        // Off again: the range's workers go (scale-in), the management domain and w-01 stay as they were.
        var off = await engine.PlanAsync(plain, default);
        Assert.DoesNotContain(off.Actions, a => a is { Target: ObjectKind.Domain, Kind: ActionKind.Replace });
        Assert.Equal([h.Cluster + "-w-02", h.Cluster + "-w-03"],
            off.Actions.Where(a => a is { Target: ObjectKind.Domain, Kind: ActionKind.Delete }).Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.True((await engine.ApplyAsync(plain, h.Progress, default)).Succeeded);
        Assert.Equal(before.Management, Domain(h, management));
        Assert.Equal(before.Worker, Domain(h, worker));
        Assert.DoesNotContain(logs.Entries, e => e.EventId is 2013 or 2014);
        await engine.DestroyAsync(plain, h.Progress, default);
    }

    [Fact]
    public async Task Without_the_channel_directory_the_management_domain_has_no_channel_and_starts()
    {
        using var h = new TestDriverHarness();
        var (engine, _) = Engine(h, Path.Combine(_channels.FullName, "missing"));
        var spec = Elastic(h.Spec(workers: 1), max: 2);

        Assert.True((await engine.ApplyAsync(spec, h.Progress, default)).Succeeded);

        var management = Domain(h, ClusterLayout.From(spec).Management.Name);
        Assert.Null(management.Channel);
        Assert.True(management.Active);
        await engine.DestroyAsync(spec, h.Progress, default);
    }

    [Fact]
    public async Task A_running_domain_that_is_replaced_is_shut_down_cleanly_first()
    {
        using var h = new TestDriverHarness();
        var (engine, logs) = Engine(h, _channels.FullName);
        Assert.True((await engine.ApplyAsync(h.Spec(workers: 1, memoryMiB: 512), h.Progress, default)).Succeeded);
        using (var stopped = h.Connection.LookupDomain(h.Cluster + "-w-01")!)
        {
            stopped.Destroy();
        }

        Assert.True((await engine.ApplyAsync(h.Spec(workers: 1, memoryMiB: 1024), h.Progress, default)).Succeeded);

        // The running management domain was asked to shut down (the test driver stops it at once, so it
        // is never forced); the worker that was off is replaced without a shutdown.
        var requested = logs.Entries.Where(e => e.EventId == 2013).Select(e => e.Message).ToList();
        Assert.Equal($"Cluster {h.Cluster}: domain {ClusterLayout.From(h.Spec()).Management.Name} is running and will be replaced: shutdown requested (powered off after 120 s)",
            Assert.Single(requested));
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 2014);
        Assert.True(Domain(h, h.Cluster + "-w-01").Active);
        await engine.DestroyAsync(h.Spec(workers: 1), h.Progress, default);
    }
}
