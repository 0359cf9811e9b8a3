using Vhpc.Engine.Progress;
using Vhpc.Engine.Tests.Faults.Support;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Faults;

/// <summary>
/// Issue 7/8, an apply cancelled (vhpcd's SIGTERM, a client going away) while the base image streams
/// into its volume, against the shared libvirtd: the cancellation is raised from the image stream
/// after 16 MiB were read, so the volume stream is certainly open. The upload is aborted, the
/// half-written base volume is removed, nothing is made after it, and the next apply converges.
/// Objects vtf-upc*, subnet 10.209.13.0/24.
/// </summary>
[Tier(TestTier.Guests)]
public sealed class UploadCancellationTests(ITestOutputHelper output)
{
    private static string Uri => TestEnvironment.SharedLibvirtUri;

    [Fact]
    public async Task An_apply_cancelled_during_the_upload_removes_the_partial_base_volume_and_the_next_apply_converges()
    {
        using var cancel = new CancellationTokenSource();
        var images = new FaultingImageSource(16 << 20, cancel.Cancel);
        await using var cluster = await TinyCluster.CreateAsync("vtf-upc", Uri, workers: 1, subnet: 13, imageMiB: 64, TimeSpan.FromSeconds(180), output,
            images: images);

        var progress = new HookedProgress();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cluster.Engine.ApplyAsync(cluster.Spec, progress, cancel.Token));
        output.WriteLine(progress.Describe());
        Assert.True(images.Fired, "the cancellation never fired (fewer than 16 MiB of the base image were read)");

        // Nothing half-made: the pool holds no base volume (neither bytes nor completion marker), no node volume, no domain.
        var layout = cluster.Layout;
        using (var connection = Connection.Open(Uri))
        {
            using var pool = connection.LookupStoragePool(layout.PoolName);
            Assert.NotNull(pool);
            ClusterStateReader.RefreshPool(pool);
            var volumes = pool.ListVolumes().Select(v =>
            {
                using (v)
                {
                    return v.Name;
                }
            }).ToList();
            output.WriteLine($"volumes after the cancelled upload: [{string.Join(", ", volumes)}]");
            Assert.Empty(volumes);
            foreach (var node in layout.Nodes)
            {
                using var domain = connection.LookupDomain(node.Name);
                Assert.True(domain is null, $"{node.Name} was defined after a cancelled upload");
            }
        }

        Assert.DoesNotContain(progress.Events, e => e.Event.Step == ProvisioningStep.Define);

        // The next apply uploads again from the start and converges.
        var again = await cluster.Engine.ApplyAsync(cluster.Spec, new HookedProgress(), CancellationToken.None);
        Assert.True(again.Succeeded, again.Error + string.Join("; ", again.Nodes.Select(n => $"{n.Name}: {n.Error}")));
        var plan = await cluster.Engine.PlanAsync(cluster.Spec, CancellationToken.None);
        Assert.True(plan.IsEmpty, "plan after convergence: " + string.Join("; ", plan.Actions));
    }
}
