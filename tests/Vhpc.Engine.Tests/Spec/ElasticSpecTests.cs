using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Spec;

/// <summary>workers.elastic: loading, the validator's reasons with file:line:column, and the layout it gives.</summary>
[Tier(TestTier.Unit)]
public class ElasticSpecTests
{
    private static SpecLoadResult Load(string workers) =>
        ClusterSpecLoader.Parse(SpecSamples.With("workers", workers), "e.yaml");

    [Fact]
    public void An_elastic_range_loads_and_the_layout_declares_every_worker_of_it()
    {
        var spec = Load("{ count: 1, vcpu: 1, memoryMiB: 1024, diskGiB: 8, elastic: { max: 3, idleTimeout: 5m } }").GetSpecOrThrow();

        Assert.Equal(new ElasticSpec(3, TimeSpan.FromMinutes(5)), spec.Workers.Elastic);
        var layout = ClusterLayout.From(spec);
        Assert.Equal(["vhpc-w-01", "vhpc-w-02", "vhpc-w-03"], layout.Workers.Select(w => w.Name));
        Assert.Equal(["vhpc-w-02", "vhpc-w-03"], layout.OnDemandWorkers.Select(w => w.Name));
        Assert.True(layout.IsElastic);
    }

    [Fact]
    public void The_existing_workers_spec_is_unchanged()
    {
        var spec = ClusterSpecLoader.Parse(SpecSamples.Yaml, "c.yaml").GetSpecOrThrow();
        var layout = ClusterLayout.From(spec);

        Assert.Null(spec.Workers.Elastic);
        Assert.Empty(layout.OnDemandWorkers);
        Assert.False(layout.IsElastic);
    }

    [Fact]
    public void The_idle_time_defaults_and_every_worker_may_be_on_demand()
    {
        var spec = Load("{ count: 0, elastic: { max: 2 } }").GetSpecOrThrow();

        Assert.Equal(ElasticSpec.DefaultIdleTimeout, spec.Workers.Elastic!.IdleTimeout);
        Assert.All(ClusterLayout.From(spec).Workers, w => Assert.True(w.OnDemand));
    }

    [Fact]
    public void Elasticity_changes_no_domain()
    {
        // Every management domain carries the power channel whether or not the cluster is elastic: turning
        // elasticity on or off is a change of configuration, not a replaced domain.
        var plain = ClusterLayout.From(SpecSamples.Spec(workers: 1));
        var spec = SpecSamples.Spec(workers: 1);
        var elastic = ClusterLayout.From(spec with { Workers = spec.Workers with { Elastic = new ElasticSpec(2, TimeSpan.FromMinutes(5)) } });

        Assert.Equal(plain.Management.SpecHash, elastic.Management.SpecHash);
        Assert.Equal(plain.Workers.Single().SpecHash, elastic.Workers.First().SpecHash);
    }

    private const string ElasticWorkers = "workers: { count: 1, vcpu: 2, memoryMiB: 2048, diskGiB: 20, elastic: { max: 3 } }";

    private static List<string> HostsErrors(string placement) =>
        [.. ClusterSpecLoader.Parse(HostsSpecTests.Yaml
                .Replace("workers: { count: 3, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }", ElasticWorkers, StringComparison.Ordinal)
                .Replace("placement: { policy: spread, management: h2 }", placement, StringComparison.Ordinal)
                .Replace("connect: qemu+ssh://root@h1.example/system", "connect: qemu:///system", StringComparison.Ordinal), "e.yaml")
            .Errors.Select(e => e.ToString())];

    [Fact]
    public void Elastic_workers_need_the_management_node_on_a_local_libvirt()
    {
        // Single-host form: a remote connect cannot serve the channel (its socket is a path on that host).
        var remote = ClusterSpecLoader.Parse(SpecSamples.With("connect", "qemu+ssh://root@node7/system")
            .Replace("workers:    { count: 3, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }", ElasticWorkers, StringComparison.Ordinal), "e.yaml").Errors;
        var error = Assert.Single(remote).ToString();
        Assert.StartsWith("e.yaml:9:70: workers.elastic: needs the management node on a local libvirt, and connect is 'qemu+ssh://root@node7/system'", error, StringComparison.Ordinal);
        Assert.Contains("Unix socket", error, StringComparison.Ordinal);

        // Several hosts (h1 local, h2 remote): pinned to h2 is refused, pinned to h1 accepted, unpinned refused.
        error = Assert.Single(HostsErrors("placement: { policy: spread, management: h2 }"));
        Assert.StartsWith("e.yaml:18:70: workers.elastic: needs the management node on a local libvirt, and placement.management puts it on h2 (qemu+tls://h2.example/system)",
            error, StringComparison.Ordinal);
        Assert.Empty(HostsErrors("placement: { policy: spread, management: h1 }"));
        error = Assert.Single(HostsErrors("placement: { policy: pack }"));
        Assert.Contains("workers.elastic: needs the management node on a local libvirt, and the placement may put it on h2", error, StringComparison.Ordinal);
        Assert.Contains("pin it with placement.management", error, StringComparison.Ordinal);

        // Without an elastic range a remote management node is fine.
        Assert.Empty(ClusterSpecLoader.Parse(HostsSpecTests.Yaml, "e.yaml").Errors);
    }

    [Theory]
    [InlineData("qemu:///system", true)]
    [InlineData("qemu+unix:///system", true)]
    [InlineData("test:///default", true)]
    [InlineData("qemu+ssh://root@node7/system", false)]
    [InlineData("qemu+tcp://localhost/system", false)]
    [InlineData("qemu+tls://h2.example/system", false)]
    public void A_host_is_local_when_its_uri_has_no_host_part(string connect, bool local) =>
        Assert.Equal(local, new HostSpec("h", connect, null, null).IsLocal);

    [Theory]
    [InlineData("{ count: 3, elastic: { max: 2 } }", "e.yaml:9:38: workers.elastic.max: must be at least workers.count (3)")]
    [InlineData("{ count: 1, elastic: { max: 65 } }", "e.yaml:9:38: workers.elastic.max: must be at most 64")]
    [InlineData("{ count: 1, elastic: { max: 3, idleTimeout: 30s } }", "e.yaml:9:54: workers.elastic.idleTimeout: must be at least 1m (is 30s)")]
    [InlineData("{ count: 1, elastic: { max: 3, idleTimeout: 5 } }", "e.yaml:9:54: workers.elastic.idleTimeout: '5' is not a duration")]
    [InlineData("{ count: 1, elastic: { max: 3, idleTimeout: 1m30s } }", "workers.elastic.idleTimeout: '1m30s' is not a duration")]
    [InlineData("{ count: 1, elastic: { max: 3, idleTimeout: 30d } }", "workers.elastic.idleTimeout: '30d' is not a duration")]
    [InlineData("{ count: 1, elastic: { idleTimeout: 5m } }", "workers.elastic.max: is required")]
    [InlineData("{ count: 1, elastic: { max: 3, idle: 5m } }", "workers.elastic.idle: unknown key")]
    [InlineData("{ count: 0 }", "workers.count: must be between 1 and 64 (is 0)")]
    [InlineData("{ count: 1, elastic: 3 }", "workers.elastic: must be a mapping")]
    public void Nonsense_is_rejected_with_file_line_column_field_and_reason(string workers, string expected)
    {
        var errors = Load(workers).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_max_the_subnet_cannot_hold_is_rejected_on_the_max()
    {
        var yaml = SpecSamples.With("network", "{ name: vhpc-net, cidr: 10.9.0.0/27 }")
            .Replace("workers:    { count: 3, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }", "workers: { count: 2, elastic: { max: 20 } }", StringComparison.Ordinal);

        var errors = ClusterSpecLoader.Parse(yaml, "e.yaml").Errors.Select(e => e.ToString()).ToList();

        var error = Assert.Single(errors);
        Assert.Contains("workers.elastic.max: 10.0.0.0/27", error.Replace("10.9.0.0", "10.0.0.0", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("not 20", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Management_cannot_be_elastic()
    {
        var errors = ClusterSpecLoader.Parse(SpecSamples.With("management", "{ count: 1, elastic: { max: 2 } }"), "e.yaml").Errors;

        Assert.Contains(errors, e => e.ToString().Contains("management.elastic: unknown key", StringComparison.Ordinal));
    }
}
