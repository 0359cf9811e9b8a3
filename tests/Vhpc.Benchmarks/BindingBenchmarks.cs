using System.Diagnostics;
using System.Xml.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Vhpc.Libvirt;

namespace Vhpc.Benchmarks;

/// <summary>
/// Define + undefine of a domain and of a network against the shared libvirtd (qemu:///system),
/// through the P/Invoke binding on one open connection versus `virsh` processes (one per command,
/// as tools that shell out do). Each invocation is a full define + undefine, so Monitoring (one call
/// per iteration) fits; in-process because the two cores are shared. Needs tests/env/up.sh.
/// Run: tests/bench/binding.sh
/// </summary>
[Config(typeof(BindingBenchmarksConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class BindingBenchmarks
{
    private const string Uri = "qemu:///system";
    private const string DomainName = "vtb-b-dom";
    private const string NetworkName = "vtb-b-net";

    private Connection? _connection;
    private string _domainXml = "";
    private string _networkXml = "";
    private string _domainXmlPath = "";
    private string _networkXmlPath = "";
    private string _directory = "";

    [GlobalSetup]
    public void Setup()
    {
        try
        {
            _connection = Connection.Open(Uri);
        }
        catch (LibvirtException ex)
        {
            throw new InvalidOperationException($"libvirtd is not reachable at {Uri} ({ex.Message}): run tests/env/up.sh as root", ex);
        }

        _domainXml = new XElement("domain", new XAttribute("type", "qemu"),
            new XElement("name", DomainName),
            new XElement("memory", new XAttribute("unit", "MiB"), 64),
            new XElement("vcpu", 1),
            new XElement("os", new XElement("type", new XAttribute("arch", "x86_64"), "hvm")),
            new XElement("cpu", new XAttribute("mode", "maximum"))).ToString();
        _networkXml = new XElement("network",
            new XElement("name", NetworkName),
            new XElement("forward", new XAttribute("mode", "nat")),
            new XElement("bridge", new XAttribute("name", "vtbb0")),
            new XElement("ip", new XAttribute("address", "10.201.200.1"), new XAttribute("netmask", "255.255.255.0"))).ToString();
        _directory = Directory.CreateTempSubdirectory("vtb-bench-").FullName;
        _domainXmlPath = Path.Combine(_directory, "domain.xml");
        _networkXmlPath = Path.Combine(_directory, "network.xml");
        File.WriteAllText(_domainXmlPath, _domainXml);
        File.WriteAllText(_networkXmlPath, _networkXml);
        RemoveLeftovers();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        RemoveLeftovers();
        _connection?.Close();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Domain")]
    public void DomainVirsh()
    {
        Virsh("define", _domainXmlPath);
        Virsh("undefine", DomainName);
    }

    [Benchmark]
    [BenchmarkCategory("Domain")]
    public void DomainBinding()
    {
        using var domain = _connection!.DefineDomain(_domainXml);
        domain.Undefine();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Network")]
    public void NetworkVirsh()
    {
        Virsh("net-define", _networkXmlPath);
        Virsh("net-undefine", NetworkName);
    }

    [Benchmark]
    [BenchmarkCategory("Network")]
    public void NetworkBinding()
    {
        using var network = _connection!.DefineNetwork(_networkXml);
        network.Undefine();
    }

    private static void Virsh(string command, string argument)
    {
        var start = new ProcessStartInfo("virsh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-q", "-c", Uri, command, argument })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"virsh {command} {argument} failed: {error}");
        }
    }

    private void RemoveLeftovers()
    {
        using (var domain = _connection!.LookupDomain(DomainName))
        {
            domain?.Undefine();
        }

        using var network = _connection.LookupNetwork(NetworkName);
        network?.Undefine();
    }
}

/// <summary>One in-process Monitoring job: 3 warm-up and 30 measured define + undefine pairs per benchmark.</summary>
public sealed class BindingBenchmarksConfig : ManualConfig
{
    public BindingBenchmarksConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(30));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
    }
}
