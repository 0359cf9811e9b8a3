using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Vhpc.Seed;

namespace Vhpc.Benchmarks;

/// <summary>
/// One NoCloud seed ISO (user-data, meta-data, network-config of a typical node) written to a file
/// in-process by <see cref="NoCloudSeed"/> versus spawning <c>genisoimage -V cidata -J</c> per seed,
/// as cloud-localds and tools that shell out do. Same inputs, same kind of output file (neither
/// fsyncs), measured in one run; the Ratio column is time per seed relative to genisoimage.
/// Also in-process into memory, which is what a volume upload reads. Run: tests/bench/seed.sh
/// </summary>
[Config(typeof(SeedBenchmarksConfig))]
[MemoryDiagnoser]
public class SeedBenchmarks
{
    private static readonly DateTimeOffset Timestamp = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private string _directory = "";
    private string _inputs = "";
    private string _genisoimage = "";
    private byte[] _userData = [];
    private byte[] _metaData = [];
    private byte[] _networkConfig = [];

    [GlobalSetup]
    public void Setup()
    {
        _genisoimage = new[] { "/usr/bin/genisoimage", "/usr/local/bin/genisoimage" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("genisoimage is not installed: install genisoimage");
        _directory = Directory.CreateTempSubdirectory("vhpc-bench-seed-").FullName;
        _inputs = Path.Combine(_directory, "in");
        Directory.CreateDirectory(_inputs);

        var user = new StringBuilder("#cloud-config\nusers:\n  - name: vhpc\n    shell: /bin/bash\n")
            .Append("    sudo: ALL=(ALL) NOPASSWD:ALL\n    ssh_authorized_keys:\n")
            .Append("      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKj0Wq8p1mZ0s2rYk7dJ0wq4tqfQm1z7n1n8X2m1k2Lx vhpc@host\n")
            .Append("hostname: worker-01\nfqdn: worker-01.cluster.vhpc\nprefer_fqdn_over_hostname: true\nmanage_etc_hosts: true\n");
        _userData = Encoding.UTF8.GetBytes(user.ToString());
        _metaData = "instance-id: 6f1c6f2e-worker-01\nlocal-hostname: worker-01\n"u8.ToArray();
        _networkConfig = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n"u8.ToArray();
        File.WriteAllBytes(Path.Combine(_inputs, "user-data"), _userData);
        File.WriteAllBytes(Path.Combine(_inputs, "meta-data"), _metaData);
        File.WriteAllBytes(Path.Combine(_inputs, "network-config"), _networkConfig);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Baseline = true, Description = "genisoimage process per seed")]
    public void Genisoimage()
    {
        var start = new ProcessStartInfo(_genisoimage)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-quiet", "-V", "cidata", "-J", "-o", Path.Combine(_directory, "g.iso"), _inputs })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"genisoimage failed: {errors}");
        }
    }

    [Benchmark(Description = "in-process NoCloudSeed to file")]
    public long InProcessToFile()
    {
        var seed = new NoCloudSeed(_userData, _metaData, _networkConfig);
        using var stream = new FileStream(Path.Combine(_directory, "o.iso"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        seed.WriteTo(stream, Timestamp);
        return stream.Length;
    }

    [Benchmark(Description = "in-process NoCloudSeed to memory")]
    public long InProcessToMemory()
    {
        var seed = new NoCloudSeed(_userData, _metaData, _networkConfig);
        using var stream = new MemoryStream((int)seed.Length);
        seed.WriteTo(stream, Timestamp);
        return stream.Length;
    }
}

public sealed class SeedBenchmarksConfig : ManualConfig
{
    public SeedBenchmarksConfig()
    {
        // In-process (no child benchmark process) and short: the two cores are shared with others.
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, new SeedsPerSecondColumn());
    }
}
