using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Vhpc.Cli.Output;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

/// <summary>
/// `vhpc check NAME [--json]`: vhpcd logs into the nodes and proves the cluster works. Progress goes to
/// stderr (stdout stays the table or the JSON); exit 1 when any check failed.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var cluster = ClusterArgument.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("check",
            "Prove the cluster works: Slurm nodes up, munge, srun on every worker, the shared /home, an MPI allreduce, a job array, sacct")
        {
            cluster,
            json,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var output = parse.InvocationConfiguration.Output;
            var progressOutput = parse.InvocationConfiguration.Error;
            var clock = Stopwatch.StartNew();
            var final = await client.RequestAsync(
                new ControlRequest(ControlCommand.Check, parse.GetValue(cluster)),
                new SynchronousProgress<ProgressInfo>(p =>
                {
                    // Only the outcomes: a started line per check and node would double the noise.
                    if (p.State != "started")
                    {
                        progressOutput.WriteLine(ProgressLine.Format(p, clock.Elapsed));
                    }
                }),
                ct).ConfigureAwait(false);
            var report = CommandRunner.Expect(final).Check ?? throw new CliFailureException(ExitCodes.Failed, "vhpcd answered without a check report");
            await output.WriteAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(report, CliJsonContext.Default.CheckInfo) + "\n"
                : CheckTable.Render(report)).ConfigureAwait(false);
            return report.Passed ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }
}
