using System.Text.Json;
using Vhpc.Cli;
using Vhpc.Cli.Commands;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Cli;

/// <summary>The CLI's commands, output and exit codes against vhpcd's real host (engine test double).</summary>
[Tier(TestTier.Unit)]
public sealed class CliAgainstDaemonTests
{
    [Fact]
    public async Task Apply_prints_live_per_node_progress_with_timings_and_exits_0()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\nworkers: 1\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var (code, output, error) = await RunCliAsync(["apply", "c1", "--socket", layout.SocketPath]);

        Assert.True(code == ExitCodes.Ok, error);
        foreach (var step in new[] { "defining", "booting", "lease", "SSH", "configuring" })
        {
            Assert.Matches($@"\[\s*\d+\.\ds\] c1-w-01\s+{step}\s+ok \(0\.0 s\)", output);
        }

        Assert.Contains("cluster c1 ready", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_reconfigure_reaches_the_engine_through_the_socket_and_a_plain_apply_does_not_force_it()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\nworkers: 1\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var plain = await RunCliAsync(["apply", "c1", "--socket", layout.SocketPath]);
        var forced = await RunCliAsync(["apply", "c1", "--reconfigure", "--socket", layout.SocketPath]);

        Assert.True(plain.Code == ExitCodes.Ok, plain.Error);
        Assert.True(forced.Code == ExitCodes.Ok, forced.Error);
        Assert.Equal(["apply c1", "apply --reconfigure c1"], daemon.Engine.Calls.Where(c => c.StartsWith("apply", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Status_prints_a_table_or_json()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\nworkers: 1\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();
        Assert.Equal(ExitCodes.Ok, (await RunCliAsync(["apply", "c1", "--socket", layout.SocketPath])).Code);

        var table = await RunCliAsync(["status", "c1", "--socket", layout.SocketPath]);
        Assert.Equal(ExitCodes.Ok, table.Code);
        Assert.Matches(@"NODE\s+ROLE\s+STATE\s+ADDRESS\s+LEASE\s+SSH\s+CONFIGURED", table.Output);
        Assert.Matches(@"c1-m-01\s+management\s+running\s+10\.206\.1\.10\s+\d+m\d\ds\s+ready\s+yes", table.Output);

        var json = await RunCliAsync(["status", "c1", "--json", "--socket", layout.SocketPath]);
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal("c1", document.RootElement.GetProperty("cluster").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("nodes").GetArrayLength());
        var worker = document.RootElement.GetProperty("nodes")[1];
        Assert.Equal("10.206.1.11", worker.GetProperty("address").GetString());
        Assert.Equal((true, "ready"), (worker.GetProperty("sshReady").GetBoolean(), worker.GetProperty("ssh").GetString()));
        Assert.Equal((true, "yes"), (worker.GetProperty("configured").GetBoolean(), worker.GetProperty("configuration").GetString()));
    }

    [Fact]
    public async Task Destroy_refuses_without_a_terminal_and_without_yes_and_asks_on_a_terminal()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var refused = await RunCliAsync(["destroy", "c1", "--socket", layout.SocketPath], hasTerminal: false);
        Assert.Equal(ExitCodes.Usage, refused.Code);
        Assert.Contains("pass --yes", refused.Error, StringComparison.Ordinal);

        var wrongAnswer = await RunCliAsync(["destroy", "c1", "--socket", layout.SocketPath], hasTerminal: true, input: "no\n");
        Assert.Equal(ExitCodes.Failed, wrongAnswer.Code);
        Assert.DoesNotContain(daemon.Engine.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));

        var confirmed = await RunCliAsync(["destroy", "c1", "--socket", layout.SocketPath], hasTerminal: true, input: "c1\n");
        Assert.Equal(ExitCodes.Ok, confirmed.Code);

        var yes = await RunCliAsync(["destroy", "c1", "--yes", "--socket", layout.SocketPath], hasTerminal: false);
        Assert.Equal(ExitCodes.Ok, yes.Code);
        Assert.Equal(2, daemon.Engine.Calls.Count(c => c == "destroy c1"));
    }

    [Fact]
    public async Task Exit_codes_say_what_went_wrong_in_one_line_with_details_behind_verbose()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("bad.yaml", "error: network.cidr: '10.0.0.0/33' is not a CIDR\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var unknown = await RunCliAsync(["plan", "nope", "--socket", layout.SocketPath]);
        Assert.Equal(ExitCodes.NotFound, unknown.Code);
        Assert.Equal("vhpc: no cluster named nope is loaded (see: vhpc list)\n", unknown.Error);

        var invalid = await RunCliAsync(["apply", "bad", "--socket", layout.SocketPath]);
        Assert.Equal(ExitCodes.Usage, invalid.Code);
        Assert.Single(invalid.Error.TrimEnd().Split('\n'));
        var verbose = await RunCliAsync(["apply", "bad", "--verbose", "--socket", layout.SocketPath]);
        Assert.Contains("network.cidr: '10.0.0.0/33' is not a CIDR", verbose.Error, StringComparison.Ordinal);

        var unreachable = await RunCliAsync(["list", "--socket", layout.Root + "/none.sock"]);
        Assert.Equal(ExitCodes.DaemonUnreachable, unreachable.Code);
        Assert.Contains("vhpcd is not running", unreachable.Error, StringComparison.Ordinal);

        var usage = await RunCliAsync(["apply"]);
        Assert.Equal(ExitCodes.Usage, usage.Code);
    }

    [Fact]
    public async Task Console_prints_the_tail_of_the_serial_log()
    {
        using var layout = new DaemonLayout();
        var logs = Path.Combine(layout.Root, "consoles");
        layout.WriteCluster("c1.yaml", $"name: c1\npoolPath: {logs}\n");
        var log = Path.Combine(logs, "c1-w-01-serial.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        await File.WriteAllLinesAsync(log, Enumerable.Range(1, 100).Select(i => $"line {i}"));
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var (code, output, _) = await RunCliAsync(["console", "c1-w-01", "-n", "3", "--socket", layout.SocketPath]);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("line 98\nline 99\nline 100\n", output);
    }

    [Fact]
    public async Task Reload_returns_once_the_files_are_read_again_and_exits_2_naming_a_broken_file()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\nworkers: 1\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        // What `systemctl reload` runs (ExecReload): when it returns, the new file is served, no waiting.
        layout.WriteCluster("c2.yaml", "name: c2\n");
        var added = await RunCliAsync(["reload", "--socket", layout.SocketPath]);
        Assert.True(added.Code == ExitCodes.Ok, added.Error);
        Assert.Equal("reloaded: 2 clusters loaded, 0 files with errors\n", added.Output);
        Assert.Contains("c2", (await RunCliAsync(["list", "--socket", layout.SocketPath])).Output, StringComparison.Ordinal);

        layout.WriteCluster("c1.yaml", "name: c1\nerror: workers.count: must be a number\n");
        var broken = await RunCliAsync(["reload", "--socket", layout.SocketPath]);
        Assert.Equal(ExitCodes.Usage, broken.Code);
        Assert.Equal("reloaded: 2 clusters loaded, 1 file with errors\n", broken.Output);
        Assert.Contains("c1.yaml (its previous version stays loaded):", broken.Error, StringComparison.Ordinal);
        Assert.Contains("workers.count: must be a number", broken.Error, StringComparison.Ordinal);
        Assert.Contains("loaded (file has errors)", (await RunCliAsync(["list", "--socket", layout.SocketPath])).Output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunCliAsync(string[] args, bool hasTerminal = false, string input = "")
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using var reader = new StringReader(input);
        var code = await CliProgram.RunAsync(args, output, error, reader, () => hasTerminal);
        return (code, output.ToString(), error.ToString());
    }
}
