using System.Diagnostics.Metrics;
using Vhpc.Ansible;
using Vhpc.Engine.Telemetry;
using Vhpc.Testing;
using static Vhpc.Engine.Tests.Configuration.FakePlaybookProcess;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class AnsibleRunnerRetryTests
{
    private static readonly AnsibleRunnerOptions FastRetries = new() { MaxRetries = 3, RetryDelay = TimeSpan.Zero, UseJitter = false };

    [Fact]
    public async Task Retries_only_the_unreachable_host_with_limit_and_never_the_failed_one()
    {
        using var fixture = new RequestFixture();
        var process = new FakePlaybookProcess(
            (4, [Start(2),
                Result("w2", "unreachable", 0, "Gathering Facts", "Connection refused"),
                Result("mgmt", "ok", 0), Result("w1", "ok", 0),
                Result("w1", "failed", 0, "Install munge", "No package munge available."),
                Result("mgmt", "ok", 1, "marker"),
                Stats(("mgmt", 0, 0), ("w1", 1, 0), ("w2", 0, 1))]),
            (0, [Start(2), Result("w2", "changed", 0), Result("w2", "ok", 1, "marker"), Stats(("w2", 0, 0))]));
        var logger = new ListLogger();
        var runner = new AnsibleRunner(logger, FastRetries, TimeProvider.System, process);

        var result = await runner.RunAsync(fixture.Request(RepositoryPaths.SitePlaybook) with { ClusterName = "retry1" }, CancellationToken.None);

        Assert.Equal(2, process.Commands.Count);
        Assert.DoesNotContain("--limit", process.Commands[0].Arguments);
        var second = process.Commands[1].Arguments.ToList();
        Assert.Equal("w2", second[second.IndexOf("--limit") + 1]);
        Assert.Equal([null, ["w2"]], result.Attempts.Select(a => a.Limit));

        var hosts = result.Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostOutcome.Configured, hosts["mgmt"].Outcome);
        Assert.Equal(HostOutcome.Configured, hosts["w2"].Outcome);
        Assert.Equal(HostOutcome.Failed, hosts["w1"].Outcome);
        Assert.Equal("w1: task 'Install munge' failed: No package munge available.", hosts["w1"].Describe());
        Assert.False(result.Succeeded);
        Assert.Contains(logger.Entries, e => e.Id.Id == 3511 && e.Message.Contains("w2", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.Id.Id == 3513 && e.Message.Contains("Install munge", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_real_failure_is_not_retried()
    {
        using var fixture = new RequestFixture();
        var process = new FakePlaybookProcess(
            (2, [Start(1), Result("mgmt", "failed", 0, "Render slurm.conf", "undefined variable"), Stats(("mgmt", 1, 0))]));
        var runner = new AnsibleRunner(new ListLogger(), FastRetries, TimeProvider.System, process);
        var request = fixture.Request(RepositoryPaths.SitePlaybook, new ConfigurationHost("mgmt", "mgmt.t", "10.205.0.2", HostRole.Management));

        var result = await runner.RunAsync(request, CancellationToken.None);

        Assert.Single(process.Commands);
        Assert.False(result.Succeeded);
        Assert.Equal(("Render slurm.conf", "undefined variable"), (result.Hosts[0].Task, result.Hosts[0].Message));
    }

    [Fact]
    public async Task Gives_up_after_the_configured_retries_and_counts_them()
    {
        using var fixture = new RequestFixture();
        string[] unreachable = [Start(1), Result("mgmt", "unreachable", 0, "Gathering Facts", "No route to host"), Stats(("mgmt", 0, 1))];
        var process = new FakePlaybookProcess((4, unreachable), (4, unreachable), (4, unreachable), (4, unreachable));
        var runner = new AnsibleRunner(new ListLogger(), FastRetries, TimeProvider.System, process);
        var request = fixture.Request(RepositoryPaths.SitePlaybook, new ConfigurationHost("mgmt", "mgmt.t", "10.205.0.2", HostRole.Management))
            with { ClusterName = "retrycount" };

        long retries = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument == VhpcTelemetry.ConfigurationRetries)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "cluster" && (string?)tag.Value == "retrycount")
                    Interlocked.Add(ref retries, value);
            }
        });
        listener.Start();

        var result = await runner.RunAsync(request, CancellationToken.None);

        Assert.Equal(4, process.Commands.Count);
        Assert.Equal(3, Interlocked.Read(ref retries));
        Assert.Equal(HostOutcome.Unreachable, result.Hosts[0].Outcome);
        Assert.Equal("mgmt: unreachable at task 'Gathering Facts': No route to host", result.Hosts[0].Describe());
    }

    [Fact]
    public async Task Exit_code_zero_is_not_enough_without_the_last_play()
    {
        using var fixture = new RequestFixture();
        var process = new FakePlaybookProcess((0, [Start(2), Result("mgmt", "ok", 0), Stats(("mgmt", 0, 0))]));
        var runner = new AnsibleRunner(new ListLogger(), FastRetries, TimeProvider.System, process);
        var request = fixture.Request(RepositoryPaths.SitePlaybook, new ConfigurationHost("mgmt", "mgmt.t", "10.205.0.2", HostRole.Management));

        var result = await runner.RunAsync(request, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(HostOutcome.Incomplete, result.Hosts[0].Outcome);
    }

    [Fact]
    public async Task A_broken_playbook_reports_ansibles_error()
    {
        using var fixture = new RequestFixture();
        var process = new BrokenProcess();
        var runner = new AnsibleRunner(new ListLogger(), FastRetries, TimeProvider.System, process);

        var result = await runner.RunAsync(fixture.Request(RepositoryPaths.SitePlaybook), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.All(result.Hosts, h => Assert.Contains("ERROR! the role 'nope' was not found", h.Message, StringComparison.Ordinal));
    }

    private sealed class BrokenProcess : IPlaybookProcess
    {
        public Task<int> RunAsync(PlaybookCommand command, Action<string> onOutput, Action<string> onError, CancellationToken cancellationToken)
        {
            onError("ERROR! the role 'nope' was not found in /x/roles");
            return Task.FromResult(1);
        }
    }
}
