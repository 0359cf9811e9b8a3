using Microsoft.Extensions.Logging.Abstractions;
using Vhpc.Engine.Checks;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Guests.Checks;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests.Checks;

/// <summary>`vhpc check` against a fake cluster behind SSH: which checks run, what they conclude, and whom a failure names.</summary>
[Tier(TestTier.Unit)]
public sealed class ClusterCheckerTests
{
    private static readonly ClusterLayout Layout = ClusterLayout.From(SpecSamples.Spec("c1", workers: 3));
    private static readonly string[] Workers = ["c1-w-01", "c1-w-02", "c1-w-03"];

    private static async Task<(ClusterCheckReport Report, List<ProgressEvent> Events)> CheckAsync(FakeClusterShell shell, ClusterCheckOptions? options = null)
    {
        var checker = new ClusterChecker(shell, options ?? new ClusterCheckOptions { AccountingTimeout = TimeSpan.FromSeconds(1) }, TimeProvider.System,
            NullLogger<ClusterChecker>.Instance);
        var events = new List<ProgressEvent>();
        var report = await checker.CheckAsync(new ClusterCheckRequest(Layout, "vhpc", "/k", "/kh"), new Collect(events), CancellationToken.None);
        return (report, events);
    }

    [Fact]
    public async Task A_healthy_cluster_passes_every_check_per_worker_then_across_the_workers()
    {
        var (report, events) = await CheckAsync(new FakeClusterShell(Layout));

        Assert.True(report.Passed, string.Join("\n", report.Results.Where(r => !r.Passed).Select(r => $"{r.Check} {r.Node}: {r.Error}")));
        Assert.Equal(
            [.. Workers.Select(w => ("slurm-node", (string?)w)), .. Workers.Select(w => ("srun", (string?)w)), .. Workers.Select(w => ("munge", (string?)w)),
             .. Workers.Select(w => ("home", (string?)w)), ("mpi", null), ("job-array", null), ("accounting", null)],
            report.Results.Select(r => (r.Check, r.Node)));
        Assert.Equal("allreduce sum 3 on all 3 ranks (c1-w-01,c1-w-02,c1-w-03), built now", report.Results.Single(r => r.Check == "mpi").Detail);
        Assert.Equal("7 jobs of this check recorded COMPLETED", report.Results.Single(r => r.Check == "accounting").Detail);
        Assert.Equal("credential from c1-m-01 accepted", report.Results.First(r => r.Check == "munge").Detail);
        // One outcome event per result, each after its start.
        Assert.Equal(report.Results.Count, events.Count(e => e.State == StepState.Succeeded));
        Assert.All(events, e => Assert.Equal(ProvisioningStep.Check, e.Step));
    }

    [Fact]
    public async Task A_worker_whose_munge_key_differs_fails_munge_by_name_with_unmunges_error_and_is_left_out_of_mpi()
    {
        var shell = new FakeClusterShell(Layout);
        shell.WrongMungeKey.Add("c1-w-02");

        var (report, _) = await CheckAsync(shell);

        Assert.False(report.Passed);
        var failed = Assert.Single(report.Results, r => !r.Passed);
        Assert.Equal(("munge", "c1-w-02"), (failed.Check, failed.Node));
        Assert.Equal("on c1-w-02: `unmunge (a credential from c1-m-01)` exited 1: unmunge: Error: Invalid credential", failed.Error);
        var mpi = report.Results.Single(r => r.Check == "mpi");
        Assert.True(mpi.Passed);
        Assert.Contains("allreduce sum 1 on all 2 ranks (c1-w-01,c1-w-03)", mpi.Detail, StringComparison.Ordinal);
        Assert.EndsWith("; without c1-w-02 (failed above)", mpi.Detail, StringComparison.Ordinal);
        Assert.Contains(shell.Commands, c => c.Command.Contains("--array=0-1 -N1 -n1 -t 2 -x c1-w-02", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_mpi_program_that_cannot_start_on_one_worker_fails_mpi_naming_that_worker_with_sruns_stderr()
    {
        var shell = new FakeClusterShell(Layout);
        shell.MpiCannotStart.Add("c1-w-03");

        var (report, _) = await CheckAsync(shell);

        var failed = Assert.Single(report.Results, r => !r.Passed);
        Assert.Equal(("mpi", "c1-w-03"), (failed.Check, failed.Node));
        Assert.StartsWith("no rank reported from c1-w-03; ranks 0,1 reported, expected 0..2\non c1-m-01 (about c1-w-03): `srun -J vhpc-check-", failed.Error, StringComparison.Ordinal);
        Assert.Contains("` exited 2: slurmstepd: error: execve(): ./vhpc-allreduce: Exec format error\nsrun: error: c1-w-03: task 2: Exited with exit code 2", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slurmdbd_down_fails_accounting_at_once_with_saccts_own_error()
    {
        var shell = new FakeClusterShell(Layout) { SlurmdbdDown = true };

        var (report, _) = await CheckAsync(shell, new ClusterCheckOptions { AccountingTimeout = TimeSpan.FromMinutes(10) });

        var failed = Assert.Single(report.Results, r => !r.Passed);
        Assert.Equal(("accounting", "c1-m-01"), (failed.Check, failed.Node));
        Assert.EndsWith("exited 1: sacct: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:vhpc-controller:6819: Connection refused\n"
            + "sacct: error: Problem talking to the database: Connection refused", failed.Error, StringComparison.Ordinal);
        Assert.Single(shell.Commands, c => c.Command.Contains("sacct", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_command_that_never_answers_fails_its_check_at_the_deadline_and_the_rest_still_run()
    {
        var shell = new FakeClusterShell(Layout) { HangOn = "unmunge" };
        var options = new ClusterCheckOptions { CommandTimeout = TimeSpan.FromSeconds(1), SshGrace = TimeSpan.FromSeconds(1), AccountingTimeout = TimeSpan.FromSeconds(1) };

        var (report, _) = await CheckAsync(shell, options);

        var munge = report.Results.Where(r => r.Check == "munge").ToList();
        Assert.Equal(Workers, munge.Select(r => r.Node));
        Assert.All(munge, r => Assert.Equal($"on {r.Node}: no answer over SSH within 2 s", r.Error));
        // Every worker failed munge, so nothing runs across the workers, and sacct has nothing to prove.
        Assert.Equal(["slurm-node", "srun", "home"], report.Results.Where(r => r.Passed).Select(r => r.Check).Distinct());
        Assert.Equal("no worker passed the checks above", report.Results.Single(r => r.Check == "mpi").Error);
        Assert.False(report.Results.Single(r => r.Check == "accounting").Passed);
    }

    [Fact]
    public async Task A_node_slurm_reports_down_fails_slurm_node_by_name_and_a_powered_down_one_passes()
    {
        var shell = new FakeClusterShell(Layout);
        shell.SinfoStates["c1-w-01"] = "down*";
        shell.SinfoStates["c1-w-02"] = "idle~";
        shell.SinfoStates.Remove("c1-w-03");

        var (report, _) = await CheckAsync(shell);

        var nodes = report.Results.Where(r => r.Check == "slurm-node").ToList();
        Assert.Equal([(false, "on c1-m-01: `sinfo` reports c1-w-01 down*: not responding to slurmctld"), (true, null), (false,
            "on c1-m-01: `sinfo` does not list c1-w-03 (slurm.conf lacks it, or slurmctld has not read it)")], nodes.Select(r => (r.Passed, r.Error)));
        Assert.Equal("idle~ (powered down: a job powers it up)", nodes[1].Detail);
        Assert.Contains("allreduce sum 0 on all 1 ranks (c1-w-02)", report.Results.Single(r => r.Check == "mpi").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_management_node_ends_the_check_with_one_failure_naming_it()
    {
        var shell = new FakeClusterShell(Layout);
        shell.Unreachable.Add("c1-m-01");

        var (report, _) = await CheckAsync(shell);

        var only = Assert.Single(report.Results);
        Assert.Equal(("slurm-node", "c1-m-01", false), (only.Check, only.Node, only.Passed));
        Assert.StartsWith("on c1-m-01: SSH to 192.168.123.2 failed: ", only.Error, StringComparison.Ordinal);
        Assert.False(report.Passed);
    }

    [Fact]
    public async Task Scripts_reach_any_login_shell_intact_and_keep_stdin_for_their_commands()
    {
        var script = "set -e\nx='it''s \"quoted\" $HOME `tick`'\necho \"$x\"\nprintf 'in:%s\\n' \"$(cat)\"\n";
        var result = ProcessRunner.Run("/bin/sh", ["-c", "echo stdin-line | " + ClusterChecker.AsCommand(script)], TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("its \"quoted\" $HOME `tick`\nin:stdin-line\n", result.Output);
    }

    [Fact]
    public void The_mpi_source_ships_inside_the_assembly_and_checks_the_allreduce_itself()
    {
        var source = ClusterChecker.MpiSource();
        Assert.Contains("MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);", source, StringComparison.Ordinal);
        Assert.Contains("return sum == expected ? 0 : 1;", source, StringComparison.Ordinal);
        Assert.DoesNotContain("VHPC_MPI_SOURCE", source, StringComparison.Ordinal); // the heredoc's end marker
    }

    private sealed class Collect(List<ProgressEvent> events) : IProgress<ProgressEvent>
    {
        private readonly Lock _lock = new();

        public void Report(ProgressEvent value)
        {
            lock (_lock)
            {
                events.Add(value);
            }
        }
    }
}
