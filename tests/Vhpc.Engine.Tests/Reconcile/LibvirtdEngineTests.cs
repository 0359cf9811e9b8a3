using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// The engine against the shared sandboxed libvirtd (tests/env/up.sh): real pool, stream upload, NAT
/// network, qcow2 overlays, seed ISOs and qemu domains. Objects are named vte-*, subnet 10.202.x.0/24.
/// </summary>
[Tier(TestTier.Guests)]
public class LibvirtdEngineTests
{
    private static string Uri => TestEnvironment.SharedLibvirtUri;

    [Fact]
    public async Task Apply_on_libvirtd_creates_network_base_overlays_seeds_and_running_domains_then_destroy_leaves_nothing()
    {
        RequireLibvirtd();
        var directory = Directory.CreateTempSubdirectory("vte-real-").FullName;
        var cluster = $"vte-r{Environment.ProcessId % 10000}";
        var image = Path.Combine(directory, "base.qcow2");
        Run("qemu-img", $"create -q -f qcow2 {image} 64M", "install qemu-utils (tests/env/up.sh does)");
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        var key = Path.Combine(directory, "id.pub");
        await File.WriteAllTextAsync(key, "ssh-ed25519 " + Convert.ToBase64String(RandomNumberGenerator.GetBytes(51)) + " vte\n");
        var spec = new ClusterSpec
        {
            Name = cluster,
            Domain = "vte.test",
            Connect = Uri,
            Image = new ImageSpec(image, sha, OsFamily.Debian, null),
            Pool = new PoolSpec(cluster, $"/var/lib/libvirt/images/{cluster}"),
            Network = new NetworkSpec($"{cluster}-net", $"10.202.{1 + (Environment.ProcessId % 200)}.0/24", null),
            User = new UserSpec("vhpc", key),
            Management = new NodeGroupSpec(1, 1, 256, 1),
            Workers = new NodeGroupSpec(2, 1, 256, 1),
            Vm = new VmSpec(Accelerator.Auto, GraphicsKind.Spice),
        };
        var layout = ClusterLayout.From(spec);
        using var services = new ServiceCollection().AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddVhpcEngine().BuildServiceProvider();
        var engine = services.GetRequiredService<IClusterEngine>();
        var progress = new RecordingProgress();
        try
        {
            var result = await engine.ApplyAsync(spec, progress, default);

            Assert.True(result.Succeeded, result.Error + " | " + string.Join("; ", result.Nodes.Select(n => n.Error)));
            using var connection = Connection.Open(Uri);
            using (var network = connection.LookupNetwork(spec.Network.Name)!)
            {
                Assert.True(network.IsActive);
                Assert.Equal(layout.BridgeName, NetworkXml.Parse(network.GetXml()).Bridge);
                Assert.Equal(3, NetworkXml.Parse(network.GetXml()).Hosts.Count);
            }

            using (var pool = connection.LookupStoragePool(cluster)!)
            {
                pool.Refresh();
                using var baseVolume = pool.LookupVolume(layout.BaseVolumeName)!;
                Assert.Contains("<format type='qcow2'/>", baseVolume.GetXml(), StringComparison.Ordinal);
                Assert.Equal(64L << 20, (long)baseVolume.GetInfo().Capacity);
                using (var marker = pool.LookupVolume(layout.BaseVolumeMarkerName))
                {
                    Assert.NotNull(marker);
                }

                foreach (var node in layout.Nodes)
                {
                    using var overlay = pool.LookupVolume(node.OverlayVolume)!;
                    Assert.Equal(baseVolume.Path, VolumeXml.ParseBackingPath(overlay.GetXml()));
                    Assert.Equal(1L << 30, (long)overlay.GetInfo().Capacity);
                    using var seed = pool.LookupVolume(node.SeedVolume)!;
                    Assert.Equal(0, (long)seed.GetInfo().Capacity % 2048);
                }
            }

            foreach (var node in layout.Nodes)
            {
                using var domain = connection.LookupDomain(node.Name)!;
                Assert.True(domain.IsActive);
                var xml = domain.GetXml();
                Assert.StartsWith("<domain type='qemu'", xml, StringComparison.Ordinal);
                Assert.Contains("<cpu mode='maximum'", xml, StringComparison.Ordinal);
                Assert.Equal(node.SpecHash, NodeMark.FromDomainXml(xml)!.SpecHash);
            }

            Assert.True((await engine.PlanAsync(spec, default)).IsEmpty);
            var status = await engine.GetStatusAsync(spec, default);
            Assert.All(status.Nodes, n => Assert.Equal("running", n.State));
        }
        finally
        {
            await engine.DestroyAsync(spec, progress, default);
            Directory.Delete(directory, recursive: true);
            // Host files the daemon leaves: the binding has no virStoragePoolDelete yet (empty pool
            // directory) and virtlogd keeps console logs; the test removes its own.
            if (Directory.Exists(spec.Pool.Path) && Directory.GetFileSystemEntries(spec.Pool.Path).Length == 0)
            {
                Directory.Delete(spec.Pool.Path);
            }

            foreach (var log in Directory.EnumerateFiles("/var/log/libvirt/qemu", cluster + "-*.log"))
            {
                File.Delete(log);
            }
        }

        using var check = Connection.Open(Uri);
        Assert.Null(check.LookupNetwork(spec.Network.Name));
        Assert.Null(check.LookupStoragePool(cluster));
        Assert.DoesNotContain(check.ListDomains(), d => { using (d) { return d.Name.StartsWith(cluster + "-", StringComparison.Ordinal); } });
        var plan = ClusterPlanner.PlanDestroy(layout, ClusterStateReader.Read(check, layout));
        Assert.True(plan.IsEmpty);
    }

    internal static void RequireLibvirtd()
    {
        if (!File.Exists("/run/libvirt/libvirt-sock"))
        {
            Assert.Fail("libvirtd is not running (no /run/libvirt/libvirt-sock): run tests/env/up.sh as root");
        }

        try
        {
            Connection.Open(Uri).Dispose();
        }
        catch (LibvirtException e)
        {
            Assert.Fail($"cannot connect to {Uri} ({e.Message}): run tests/env/up.sh as root");
        }
    }

    private static void Run(string file, string arguments, string hint)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{file} {arguments} failed: {process.StandardError.ReadToEnd()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail($"{file} is missing: {hint}");
        }
    }
}
