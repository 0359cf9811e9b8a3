using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Daemon.Power;
using Vhpc.Daemon.Tests.Doubles;
using Vhpc.Engine.Power;
using Vhpc.Spec;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Power;

/// <summary>
/// The power channel as the guest sees it: lines in, one answer per line out. What a guest can write
/// (garbage, another cluster's names, always-on or out-of-range workers, oversized lines, floods) is
/// refused with its reason and logged, and never reaches the engine; accepted requests do.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class PowerChannelTests : IDisposable
{
    private readonly string _clusters = Directory.CreateTempSubdirectory("vhpc-power-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 17, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();
    private readonly RecordingPowerEngine _engine = new();
    private readonly PowerChannelService _service;

    public PowerChannelTests()
    {
        // e1: 1 always-on worker, on-demand e1-w-02 and e1-w-03.
        File.WriteAllText(Path.Combine(_clusters, "e1.yaml"), "name: e1\n");
        var factory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        var registry = new ClusterRegistry(new ElasticReader(), Options.Create(new VhpcdOptions { ClustersDirectory = _clusters }),
            factory.CreateLogger<ClusterRegistry>(), _time);
        registry.Reload();
        _service = new PowerChannelService(registry, new PowerControllers(registry, _engine, factory.CreateLogger<ClusterPowerController>()),
            Options.Create(new PowerChannelOptions()), _time, factory.CreateLogger<PowerChannelService>());
    }

    [Fact]
    public async Task A_resume_of_on_demand_workers_is_answered_ok_and_reaches_the_engine()
    {
        var answers = await ServeAsync("resume e1-w-02,e1-w-03\n");

        Assert.Equal(["ok resume e1-w-02,e1-w-03"], answers);
        await _engine.WaitForAsync(2);
        Assert.Equal(["on e1-w-02", "on e1-w-03"], _engine.Calls.Order(StringComparer.Ordinal));
        Assert.Contains(_logs.Entries, e => e.EventId == 4603);
    }

    [Theory]
    [InlineData("resume e2-w-02", "'e2-w-02' is not a node of cluster e1")]
    [InlineData("resume e1-w-01", "e1-w-01 is always on (workers.count=1)")]
    [InlineData("suspend e1-m-01", "e1-m-01 is the management node")]
    [InlineData("resume e1-w-04", "e1-w-04 is beyond the elastic range (workers.elastic.max=3)")]
    [InlineData("resume e1-w-02,e1-w-09", "e1-w-09 is beyond the elastic range")]
    [InlineData("reboot e1-w-02", "unknown request 'reboot'")]
    [InlineData("resume  e1-w-02", "not 'VERB NAME[,NAME...]'")]
    [InlineData("resume e1-w-02,", "empty node name")]
    [InlineData("resume", "not 'VERB NAME[,NAME...]'")]
    [InlineData("", "empty line")]
    [InlineData("resume e1-w-02\u0000", "byte 0x00 is not printable ASCII")]
    [InlineData("resume e1-w-0\u00e9", "is not printable ASCII")]
    [InlineData("resume ../../e1-w-02", "is not a node of cluster e1")]
    [InlineData("resume e1-w-02;reboot", "is not a node of cluster e1")]
    public async Task Hostile_lines_are_refused_with_the_reason_and_never_reach_the_engine(string line, string reason)
    {
        var answers = await ServeAsync(line + "\n");

        var answer = Assert.Single(answers);
        Assert.StartsWith("refused ", answer, StringComparison.Ordinal);
        Assert.Contains(reason, answer, StringComparison.Ordinal);
        Assert.Contains(_logs.Entries, e => e.EventId == 4604 && e.Message.Contains(reason, StringComparison.Ordinal));
        await Task.Delay(50);
        Assert.Empty(_engine.Calls);
    }

    [Fact]
    public async Task An_oversized_line_is_refused_without_being_kept_and_the_next_line_still_works()
    {
        var answers = await ServeAsync(new string('x', 100_000) + "\nsuspend e1-w-03\n");

        Assert.Equal(2, answers.Count);
        Assert.Equal($"refused line longer than {PowerProtocol.MaxLineBytes} bytes", answers[0]);
        Assert.Equal("ok suspend e1-w-03", answers[1]);
        await _engine.WaitForAsync(1);
        Assert.Equal(["off e1-w-03"], _engine.Calls);
    }

    [Fact]
    public async Task A_flood_is_rate_limited_and_logged_once_not_per_line()
    {
        var flood = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            flood.Append(i % 2 == 0 ? "resume e1-w-02\n" : "garbage\n");
        }

        var answers = await ServeAsync(flood.ToString());

        Assert.Equal(5000, answers.Count);
        Assert.Equal(RequestRateLimiter.Burst, answers.Count(a => !a.StartsWith("refused rate limit", StringComparison.Ordinal)));
        Assert.Equal(5000 - RequestRateLimiter.Burst, answers.Count(a => a == "refused rate limit: too many requests"));
        // The time did not move: one flood summary at the end, not thousands of entries.
        Assert.Single(_logs.Entries, e => e.EventId == 4605);
        Assert.True(_logs.Entries.Count(e => e.EventId is 4603 or 4604) <= RequestRateLimiter.Burst);
        await _engine.WaitForAsync(1);
        // The same node asked five times while its first resume runs: at most the running one and one next.
        Assert.InRange(_engine.Calls.Count, 1, 2);
    }

    [Fact]
    public async Task The_limit_refills_with_time()
    {
        var limiter = new RequestRateLimiter(_time);
        for (var i = 0; i < RequestRateLimiter.Burst; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        Assert.False(limiter.TryAcquire());
        _time.Advance(RequestRateLimiter.Interval);
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_resume_that_fails_is_reported_to_slurm_as_down_with_the_reason()
    {
        _engine.FailPowerOn = "base image missing";
        var answers = await ServeAsync("resume e1-w-02\n");

        Assert.Equal(["ok resume e1-w-02"], answers);
        await _engine.WaitForAsync(2);
        Assert.Equal(["on e1-w-02", "slurm e1-w-02 Down resume failed: base image missing"], _engine.Calls);
        Assert.Contains(_logs.Entries, e => e.EventId == 4612 && e.Message.Contains("base image missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resume_failed_from_slurm_powers_the_node_off()
    {
        var answers = await ServeAsync("resume-failed e1-w-03\n");

        Assert.Equal(["ok resume-failed e1-w-03"], answers);
        await _engine.WaitForAsync(1);
        Assert.Equal(["off e1-w-03"], _engine.Calls);
        Assert.Contains(_logs.Entries, e => e.EventId == 4614);
    }

    private async Task<List<string>> ServeAsync(string input)
    {
        using var stream = new DuplexStream(Encoding.Latin1.GetBytes(input));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _service.ServeAsync("e1", stream, timeout.Token);
        return Encoding.ASCII.GetString(stream.Written.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_clusters, recursive: true);
    }

    /// <summary>Reads from a fixed input, keeps what is written.</summary>
    private sealed class DuplexStream(byte[] input) : MemoryStream(input)
    {
        public MemoryStream Written { get; } = new();

        public override void Write(ReadOnlySpan<byte> buffer) => Written.Write(buffer);

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ElasticReader : IClusterSpecReader
    {
        public ClusterSpecReadResult Read(string path, string text)
        {
            var spec = Specs.Create("e1", workers: 1);
            return ClusterSpecReadResult.Valid(spec with { Workers = spec.Workers with { Elastic = new ElasticSpec(3, TimeSpan.FromMinutes(5)) } });
        }
    }

    internal sealed class RecordingPowerEngine : IClusterPowerEngine
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public string? FailPowerOn { get; set; }

        public async Task WaitForAsync(int calls)
        {
            for (var i = 0; i < 200 && Calls.Count < calls; i++)
            {
                await Task.Delay(25);
            }

            await Task.Delay(50);
        }

        public async Task<NodePowerResult> PowerOnAsync(ClusterSpec spec, string node, CancellationToken cancellationToken)
        {
            Calls.Enqueue("on " + node);
            await Task.Delay(100, cancellationToken);
            return new NodePowerResult(spec.Name, node, FailPowerOn is null, true, false, TimeSpan.FromSeconds(1), FailPowerOn);
        }

        public Task<NodePowerResult> PowerOffAsync(ClusterSpec spec, string node, CancellationToken cancellationToken)
        {
            Calls.Enqueue("off " + node);
            return Task.FromResult(new NodePowerResult(spec.Name, node, true, true, false, TimeSpan.FromSeconds(1), null));
        }

        public Task<IReadOnlyDictionary<string, string>?> ReadSlurmStatesAsync(ClusterSpec spec, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

        public Task<string?> UpdateSlurmNodeAsync(ClusterSpec spec, string node, SlurmNodeUpdate update, string reason, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"slurm {node} {update} {reason}");
            return Task.FromResult<string?>(null);
        }
    }
}
