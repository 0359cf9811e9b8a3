using System.Collections.Concurrent;
using System.Diagnostics;
using Vhpc.Engine.Telemetry;
using Vhpc.Engine.Tests.Faults.Support;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>
/// OpenTelemetry's view of an apply, read with an in-process ActivityListener on the "Vhpc" source:
/// one span per step per node (libvirt steps and the lease wait of running tiny TCG guests on the
/// shared libvirtd), all in the apply's trace, tagged with cluster, node and outcome.
/// Objects vtf-spn*, subnet 10.209.14.0/24.
/// </summary>
[Tier(TestTier.Guests)]
public sealed class StepSpanTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_apply_has_one_span_per_step_per_node_in_the_apply_trace()
    {
        const string Cluster = "vtf-spn";
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == VhpcTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Other tests of this process apply their own clusters at the same time.
                if ((string?)activity.GetTagItem("vhpc.cluster") == Cluster)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var cluster = await TinyCluster.CreateAsync(Cluster, TestEnvironment.SharedLibvirtUri, workers: 1, subnet: 14, imageMiB: 1, TimeSpan.FromSeconds(180), output);

        var result = await cluster.Engine.ApplyAsync(cluster.Spec, new HookedProgress(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error + string.Join("; ", result.Nodes.Select(n => $"{n.Name}: {n.Error}")));
        var all = spans.ToList();
        foreach (var span in all.OrderBy(s => s.StartTimeUtc))
        {
            output.WriteLine($"{span.OperationName,-16} {span.GetTagItem("vhpc.node") ?? "-",-14} {span.GetTagItem("vhpc.outcome")} {span.Duration.TotalMilliseconds:F0} ms");
        }

        var apply = Assert.Single(all, s => s.OperationName == "vhpc.apply");
        Assert.Equal("ok", apply.GetTagItem("vhpc.outcome"));
        foreach (var node in cluster.Layout.Nodes)
        {
            foreach (var step in new[] { "vhpc.volume", "vhpc.seed", "vhpc.define", "vhpc.boot", "vhpc.lease" })
            {
                // Two volumes per node are made in the volume step: the overlay and the serial console log.
                var spansOfStep = all.Where(s => s.OperationName == step && (string?)s.GetTagItem("vhpc.node") == node.Name).ToList();
                Assert.True(spansOfStep.Count == (step == "vhpc.volume" ? 2 : 1), $"{node.Name}: {spansOfStep.Count} {step} spans");
                foreach (var span in spansOfStep)
                {
                    Assert.Equal(apply.TraceId, span.TraceId);
                    Assert.Equal("ok", span.GetTagItem("vhpc.outcome"));
                    Assert.Equal(step["vhpc.".Length..], span.GetTagItem("vhpc.step"));
                }
            }
        }

        // Shared steps are spans of their own, without a node.
        Assert.Contains(all, s => s.OperationName == "vhpc.network" && s.TraceId == apply.TraceId);
        Assert.Contains(all, s => s.OperationName == "vhpc.baseimage" && s.TraceId == apply.TraceId);
    }
}
