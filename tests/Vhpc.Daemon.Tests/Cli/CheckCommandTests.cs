using System.Text.Json;
using Vhpc.Cli;
using Vhpc.Cli.Commands;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Engine.Checks;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Cli;

/// <summary>`vhpc check` through vhpcd's real host and socket (engine test double): the table, --json, progress on stderr, exit codes.</summary>
[Tier(TestTier.Unit)]
public sealed class CheckCommandTests
{
    private static readonly CheckResult[] Failing =
    [
        new(CheckNames.SlurmNode, "c1-w-01", true, TimeSpan.FromSeconds(0.8), "idle"),
        new(CheckNames.Munge, "c1-w-01", false, TimeSpan.FromSeconds(1.2), "credential refused",
            "on c1-w-01: `unmunge (a credential from c1-m-01)` exited 1: unmunge: Error: Invalid credential"),
        new(CheckNames.Mpi, "c1-w-01", false, TimeSpan.FromSeconds(9.5), "allreduce failed",
            "no rank reported from c1-w-01\non c1-m-01 (about c1-w-01): `srun --mpi=pmix ...` exited 2: srun: error: c1-w-01: task 0: Exited with exit code 2"),
        new(CheckNames.Accounting, null, true, TimeSpan.FromSeconds(2), "1 jobs of this check recorded COMPLETED"),
    ];

    [Fact]
    public async Task A_passing_check_prints_a_table_with_times_and_exits_0_with_progress_on_stderr()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\nworkers: 2\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var (code, output, error) = await RunCliAsync(["check", "c1", "--socket", layout.SocketPath]);

        Assert.True(code == ExitCodes.Ok, error);
        var lines = output.Split('\n');
        Assert.Matches(@"^CHECK\s+NODE\s+RESULT\s+TIME\s+DETAIL$", lines[0]);
        Assert.Matches(@"^srun\s+c1-w-01\s+ok\s+1\.5 s\s+task ran on c1-w-01$", lines[1]);
        Assert.Matches(@"^srun\s+c1-w-02\s+ok\s+1\.5 s\s+task ran on c1-w-02$", lines[2]);
        Assert.Contains("cluster c1: all 2 checks passed in 3.0 s", output, StringComparison.Ordinal);
        Assert.Matches(@"\[\s*\d+\.\ds\] c1-w-02\s+checking\s+ok \(1\.5 s\)  srun: task ran on c1-w-02", error);
        Assert.Contains("check c1", daemon.Engine.Calls);
    }

    [Fact]
    public async Task A_failed_check_names_the_node_and_the_commands_error_in_full_and_exits_1()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\nworkers: 1\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();
        daemon.Engine.CheckResults = _ => Failing;

        var (code, output, _) = await RunCliAsync(["check", "c1", "--socket", layout.SocketPath]);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Matches(@"\nmunge\s+c1-w-01\s+FAILED\s+1\.2 s\s+credential refused\n", output);
        Assert.Matches(@"\naccounting\s+\(cluster\)\s+ok\s+2\.0 s\s+1 jobs", output);
        Assert.Contains("\nmunge failed on c1-w-01: on c1-w-01: `unmunge (a credential from c1-m-01)` exited 1: unmunge: Error: Invalid credential\n", output, StringComparison.Ordinal);
        Assert.Contains("\nmpi failed on c1-w-01: no rank reported from c1-w-01\n    on c1-m-01 (about c1-w-01): `srun --mpi=pmix ...` exited 2: srun: error: c1-w-01: task 0: Exited with exit code 2\n",
            output, StringComparison.Ordinal);
        Assert.Contains("cluster c1: 2 of 4 checks failed (13.5 s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_carries_every_result_with_its_node_time_and_error_and_the_exit_code_still_says_failed()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\nworkers: 1\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();
        daemon.Engine.CheckResults = _ => Failing;

        var (code, output, _) = await RunCliAsync(["check", "c1", "--json", "--socket", layout.SocketPath]);

        Assert.Equal(ExitCodes.Failed, code);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal(("c1", false), (root.GetProperty("cluster").GetString(), root.GetProperty("passed").GetBoolean()));
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(["slurm-node", "munge", "mpi", "accounting"], checks.Select(c => c.GetProperty("check").GetString()));
        Assert.Equal("c1-w-01", checks[1].GetProperty("node").GetString());
        Assert.False(checks[1].GetProperty("passed").GetBoolean());
        Assert.Equal(1.2, checks[1].GetProperty("durationSeconds").GetDouble());
        Assert.EndsWith("unmunge: Error: Invalid credential", checks[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, checks[3].GetProperty("node").ValueKind);
        Assert.Equal(JsonValueKind.Null, checks[0].GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task An_unknown_cluster_exits_5()
    {
        using var layout = new DaemonLayout();
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var (code, _, error) = await RunCliAsync(["check", "nope", "--socket", layout.SocketPath]);

        Assert.Equal(ExitCodes.NotFound, code);
        Assert.Contains("no cluster named nope", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunCliAsync(string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using var reader = new StringReader("");
        var code = await CliProgram.RunAsync(args, output, error, reader, () => false);
        return (code, output.ToString(), error.ToString());
    }
}
