using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vhpc.Ansible;
using Vhpc.Engine.Progress;
using Vhpc.Guests;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Connections;
using Vhpc.Provisioning.Images;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Faults.Support;

/// <summary>
/// A vtf- cluster of tiny direct-kernel-boot guests (busybox initramfs, DHCP in seconds under TCG, no
/// sshd) and the engine composed as vhpcd composes it: the shared reconnecting connection
/// (AddLibvirtConnections), the engine, and the guests layer with lease-only readiness
/// (Guests.WaitForSsh = false). Destroys the cluster and removes its files on dispose.
/// </summary>
internal sealed class TinyCluster : IAsyncDisposable
{
    public static string TinyImages => TestEnvironment.TinyImages;

    private readonly string _directory;

    private TinyCluster(string directory, ClusterSpec spec, ServiceProvider services, CapturingLoggerProvider logs)
    {
        _directory = directory;
        Spec = spec;
        Layout = ClusterLayout.From(spec);
        Services = services;
        Logs = logs;
        Engine = services.GetRequiredService<IClusterEngine>();
    }

    public ClusterSpec Spec { get; }

    public ClusterLayout Layout { get; }

    public ServiceProvider Services { get; }

    public IClusterEngine Engine { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <param name="subnet">Third octet of the cluster's 10.209.N.0/24.</param>
    /// <param name="imageMiB">Random content of the base qcow2: large enough that its upload can be hit.</param>
    public static async Task<TinyCluster> CreateAsync(string name, string uri, int workers, int subnet, int imageMiB, TimeSpan leaseTimeout,
        ITestOutputHelper output, IClusterConfiguration? configuration = null, IBaseImageSource? images = null)
    {
        Assert.StartsWith("vtf-", name, StringComparison.Ordinal);
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
        {
            Assert.True(File.Exists(Path.Combine(TinyImages, file)), $"{TinyImages}/{file} is missing: build it with deploy/image/build-tiny.sh (as root)");
        }

        var directory = Directory.CreateTempSubdirectory(name + "-").FullName;
        try
        {
            var raw = Path.Combine(directory, "base.raw");
            await File.WriteAllBytesAsync(raw, RandomNumberGenerator.GetBytes(imageMiB << 20));
            var image = Path.Combine(directory, "base.qcow2");
            Run("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, image], "install qemu-utils (tests/env/up.sh does)");
            File.Delete(raw);
            var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
            var spec = new ClusterSpec
            {
                Name = name,
                Domain = "vtf.test",
                Connect = uri,
                Image = new ImageSpec(image, sha, OsFamily.Debian,
                    new DirectKernelBootSpec($"{TinyImages}/vmlinuz", $"{TinyImages}/initrd.img", "console=ttyS0")),
                Pool = new PoolSpec(name, $"/var/lib/libvirt/images/{name}"),
                Network = new NetworkSpec($"{name}-net", $"10.209.{subnet}.0/24", $"vtf-br{subnet}"),
                User = new UserSpec("vhpc", null),
                Management = new NodeGroupSpec(1, 1, 256, 1),
                Workers = new NodeGroupSpec(workers, 1, 256, 1),
                Vm = new VmSpec(Accelerator.Qemu, GraphicsKind.None),
            };
            var logs = new CapturingLoggerProvider(output, LogLevel.Information);
            var services = new ServiceCollection().AddLogging(b => b.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information));
            if (configuration is not null)
            {
                services.AddSingleton(configuration);
            }

            if (images is not null)
            {
                services.AddSingleton(images);
            }

            services.AddLibvirtConnections(o =>
            {
                o.Uri = uri;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
                o.RetryMaxDelay = TimeSpan.FromSeconds(2);
                o.MaxRetryAttempts = 40;
            });
            services.AddVhpcEngine();
            services.AddVhpcGuests(o =>
            {
                o.StateRoot = Path.Combine(directory, "state");
                o.LeaseTimeout = leaseTimeout;
                o.WaitForSsh = false;
            });
            return new TinyCluster(directory, spec, services.BuildServiceProvider(), logs);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The host-side tap device of a running node's interface (libvirt names it vnetN).</summary>
    public static string TapOf(string uri, string domainName)
    {
        using var connection = Connection.Open(uri);
        using var domain = connection.LookupDomain(domainName) ?? throw new InvalidOperationException($"no domain {domainName}");
        return XDocument.Parse(domain.GetXml()).Descendants("interface").Elements("target").Attributes("dev").Single().Value;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Engine.DestroyAsync(Spec, new Progress<ProgressEvent>(), CancellationToken.None);
        }
        finally
        {
            await Services.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static void Run(string file, string[] arguments, string hint)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start: {hint}");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed ({process.ExitCode}): {error}; {hint}");
    }
}

/// <summary>
/// The engine's own base image source, with a fault hook: the first time the upload has read
/// <paramref name="afterBytes"/> bytes, <paramref name="fault"/> runs synchronously on the reading
/// thread, so the fault lands while the volume stream is open, whatever the machine's speed.
/// </summary>
internal sealed class FaultingImageSource(long afterBytes, Action fault) : IBaseImageSource
{
    private readonly CachedBaseImageSource _inner = new(null);
    private int _fired;

    public bool Fired => Volatile.Read(ref _fired) == 1;

    public async Task<BaseImageContent> OpenAsync(ImageSpec image, CancellationToken cancellationToken)
    {
        var content = await _inner.OpenAsync(image, cancellationToken);
        return Fired ? content : new BaseImageContent(new HookStream(content.Stream, this), content.Length);
    }

    private void OnRead(long total)
    {
        if (total >= afterBytes && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            fault();
        }
    }

    private sealed class HookStream(Stream inner, FaultingImageSource owner) : Stream
    {
        private long _total;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => _total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            _total += read;
            owner.OnRead(_total);
            return read;
        }
    }
}

/// <summary>Progress recorded with the time each event arrived; an optional hook runs synchronously on the reporting thread.</summary>
internal sealed class HookedProgress(Action<ProgressEvent>? hook = null) : IProgress<ProgressEvent>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ConcurrentQueue<(TimeSpan At, ProgressEvent Event)> Events { get; } = new();

    public TimeSpan Now => _clock.Elapsed;

    public void Report(ProgressEvent value)
    {
        Events.Enqueue((_clock.Elapsed, value));
        hook?.Invoke(value);
    }

    public TimeSpan? FirstAt(Func<ProgressEvent, bool> predicate) =>
        Events.Where(e => predicate(e.Event)).Select(e => (TimeSpan?)e.At).FirstOrDefault();

    public string Describe() => string.Join("\n", Events.Select(e =>
        $"{e.At.TotalSeconds,7:F2} {e.Event.Node ?? "-",-14} {e.Event.Step,-10} {e.Event.State,-9} {e.Event.Message}"));
}
