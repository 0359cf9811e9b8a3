using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Vhpc.Cli.Output;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

internal static class ApplyCommand
{
    public static Command Create()
    {
        var cluster = ClusterArgument.Create();
        var reconfigure = new Option<bool>("--reconfigure")
        {
            Description = "Configure every node again, also where vhpcd's record says its configuration still holds (for changes made on a node by hand)",
        };
        var command = new Command("apply", "Create or converge the cluster, with live per-node progress") { cluster, reconfigure };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var output = parse.InvocationConfiguration.Output;
            var clock = Stopwatch.StartNew();
            ControlMessage final;
            try
            {
                final = await client.RequestAsync(
                    new ControlRequest(ControlCommand.Apply, parse.GetValue(cluster), Reconfigure: parse.GetValue(reconfigure) ? true : null),
                    new SynchronousProgress<ProgressInfo>(p => output.WriteLine(ProgressLine.Format(p, clock.Elapsed))),
                    ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new CliFailureException(ExitCodes.Interrupted,
                    "stopped watching; the apply continues in vhpcd (follow it with: vhpc watch, or journalctl -u vhpcd -f)");
            }

            var apply = CommandRunner.Expect(final).Apply ?? throw new CliFailureException(ExitCodes.Failed, "vhpcd answered without a result");
            foreach (var node in apply.Nodes.Where(n => !n.Succeeded))
            {
                await output.WriteLineAsync($"node {node.Name} failed: {node.Error}").ConfigureAwait(false);
                if (!string.IsNullOrEmpty(node.ConsoleTail))
                {
                    await output.WriteLineAsync($"--- console of {node.Name} (last lines) ---\n{node.ConsoleTail.TrimEnd()}\n---").ConfigureAwait(false);
                }
            }

            var seconds = apply.DurationSeconds.ToString("F1", CultureInfo.InvariantCulture);
            if (!apply.Succeeded)
            {
                throw new CliFailureException(ExitCodes.Failed, $"apply of {apply.Cluster} failed after {seconds} s: {apply.Error ?? "see the node errors above"}");
            }

            var configured = apply.Nodes.Count(n => n.Configuration == "ran");
            var upToDate = apply.Nodes.Count(n => n.Configuration == "up-to-date");
            await output.WriteLineAsync($"cluster {apply.Cluster} ready in {seconds} s ({apply.Nodes.Count} nodes: {configured} configured, {upToDate} up to date)")
                .ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
