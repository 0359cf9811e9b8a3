using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vhpc.Ansible;
using Vhpc.Engine.Power;
using Vhpc.Engine.Progress;
using Vhpc.Guests;
using Vhpc.Guests.Keys;
using Vhpc.Libvirt;
using Vhpc.Provisioning;
using Vhpc.Provisioning.Connections;
using Vhpc.Provisioning.Images;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Seeds;
using Vhpc.Spec;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// The engine wired to libvirt's in-process test driver (test:///default: real libvirt and XML
/// parsers, fake hypervisor). The harness holds one connection open for its lifetime because the test
/// driver's state lives only while a connection to it exists. Each harness has its own cluster name.
/// </summary>
internal sealed class TestDriverHarness : IDisposable
{
    private static int _counter;
    private readonly string _directory;

    public TestDriverHarness(string? cluster = null)
    {
        var number = Interlocked.Increment(ref _counter);
        Cluster = cluster ?? $"vte-t{number}-{Environment.ProcessId % 1000}";
        // The test driver's state is shared by every harness of the process, and a new network may not
        // overlap another active one: each harness gets its own /24.
        Cidr = $"10.{100 + (number / 256 % 100)}.{number % 256}.0/24";
        Connection = Connection.Open("test:///default");
        _directory = Directory.CreateTempSubdirectory("vte-engine-").FullName;
        ImagePath = Path.Combine(_directory, "base.qcow2");
        var image = RandomNumberGenerator.GetBytes(256 * 1024);
        File.WriteAllBytes(ImagePath, image);
        ImageSha256 = Convert.ToHexStringLower(SHA256.HashData(image));
        KeyPath = Path.Combine(_directory, "id.pub");
        File.WriteAllText(KeyPath, "ssh-ed25519 " + Convert.ToBase64String(RandomNumberGenerator.GetBytes(51)) + " vte@test\n");
        Engine = CreateEngine(new SharedTestDriver(Connection), Uploads);
    }

    /// <summary>The engine with the test driver's seams (no upload, the spec's key file) on <paramref name="connections"/>.</summary>
    public static ClusterEngine CreateEngine(IConnectionSource connections, IVolumeUploader uploads, ILoggerFactory? loggers = null,
        INodeReadiness? readiness = null, IClusterConfiguration? configuration = null, IGuestStatusSource? guestStatus = null,
        IOptions<GuestsOptions>? guests = null, IOptions<PowerChannelOptions>? powerChannels = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        var reconciler = new ClusterReconciler(new NodeSeedBuilder(), new CachedBaseImageSource(cache: null), new SpecKeyFileSource(), uploads,
            TimeProvider.System, loggers.CreateLogger<ClusterReconciler>(), powerChannels);
        var provisioner = new ClusterProvisioner(connections, new HostPlatformDetector(NullLogger<HostPlatformDetector>.Instance), reconciler,
            TimeProvider.System, loggers.CreateLogger<ClusterProvisioner>());
        return new ClusterEngine(provisioner, TimeProvider.System, loggers.CreateLogger<ClusterEngine>(), readiness, configuration, guestStatus, guests);
    }

    public string Cluster { get; }

    public string Cidr { get; }

    public Connection Connection { get; }

    public string ImagePath { get; }

    public string ImageSha256 { get; }

    public string KeyPath { get; }

    public RecordingUploader Uploads { get; } = new();

    public ClusterEngine Engine { get; }

    public RecordingProgress Progress { get; } = new();

    public ClusterSpec Spec(int workers = 2, int memoryMiB = 512) => new()
    {
        Name = Cluster,
        Domain = "vte.test",
        Connect = "test:///default",
        Image = new ImageSpec(ImagePath, ImageSha256, OsFamily.Debian, null),
        Pool = new PoolSpec(Cluster, $"/vte/pools/{Cluster}"),
        Network = new NetworkSpec($"{Cluster}-net", Cidr, null),
        User = new UserSpec("vhpc", KeyPath),
        Management = new NodeGroupSpec(1, 1, memoryMiB, 4),
        Workers = new NodeGroupSpec(workers, 1, memoryMiB, 4),
        Vm = new VmSpec(Accelerator.Auto, GraphicsKind.Spice),
    };

    /// <summary>Names of every pool, network, domain and volume libvirt knows, for before/after comparisons.</summary>
    public SortedSet<string> Inventory()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var pool in Connection.ListStoragePools())
        {
            using (pool)
            {
                names.Add($"pool:{pool.Name}:{(pool.IsActive ? "active" : "inactive")}");
                if (pool.IsActive)
                {
                    foreach (var volume in pool.ListVolumes())
                    {
                        using (volume)
                        {
                            names.Add($"volume:{pool.Name}/{volume.Name}");
                        }
                    }
                }
            }
        }

        foreach (var network in Connection.ListNetworks())
        {
            using (network)
            {
                names.Add($"network:{network.Name}:{(network.IsActive ? "active" : "inactive")}:{network.GetXml().GetHashCode(StringComparison.Ordinal)}");
            }
        }

        foreach (var domain in Connection.ListDomains())
        {
            using (domain)
            {
                names.Add($"domain:{domain.Name}:{domain.GetState()}:{domain.GetXml().GetHashCode(StringComparison.Ordinal)}");
            }
        }

        return names;
    }

    public void Dispose()
    {
        Connection.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>
/// libvirt's test driver keeps one state for the whole process, and these tests compare all of it
/// before and after: they run one at a time (other test classes still run beside them).
/// </summary>
[CollectionDefinition(Name)]
public sealed class TestDriverState
{
    public const string Name = "libvirt test driver";
}

/// <summary>Lends one open test:///default connection to every operation (its state lives only while it is open).</summary>
internal sealed class SharedTestDriver(Connection connection) : IConnectionSource
{
    public ValueTask<ConnectionLease> AcquireAsync(string uri, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ConnectionLease(connection, owned: false));
}

/// <summary>
/// The test driver has no virStorageVolUpload, so test:///default runs read the bytes the engine would
/// send and record them (the real stream upload is covered against libvirtd).
/// </summary>
internal sealed class RecordingUploader : IVolumeUploader
{
    public ConcurrentDictionary<string, long> Uploaded { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, byte[]> Content { get; } = new(StringComparer.Ordinal);

    public async Task UploadAsync(StorageVolume volume, Stream source, long length, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await source.CopyToAsync(copy, cancellationToken);
        Assert.Equal(length, copy.Length);
        Uploaded.AddOrUpdate(volume.Name, 1, (_, n) => n + 1);
        Content[volume.Name] = copy.ToArray();
    }
}

/// <summary>Collects progress synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class RecordingProgress : IProgress<ProgressEvent>
{
    public ConcurrentQueue<ProgressEvent> Events { get; } = new();

    public void Report(ProgressEvent value) => Events.Enqueue(value);
}
