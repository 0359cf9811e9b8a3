using System.CommandLine;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

internal static class ConsoleCommand
{
    public static Command Create()
    {
        var node = new Argument<string>("node") { Description = "Node name (or FQDN)" };
        var cluster = new Option<string?>("--cluster", "-c") { Description = "Cluster of the node (when names are ambiguous)" };
        var lines = new Option<int?>("--lines", "-n") { Description = "How many lines of the serial log" };
        var command = new Command("console", "Print the tail of a node's serial console log") { node, cluster, lines };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var result = CommandRunner.Expect(await client.RequestAsync(
                new ControlRequest(ControlCommand.Console, parse.GetValue(cluster), parse.GetValue(node), parse.GetValue(lines)), null, ct).ConfigureAwait(false));
            var console = result.Console ?? throw new CliFailureException(ExitCodes.Failed, "vhpcd answered without a console log");
            var output = parse.InvocationConfiguration.Output;
            foreach (var line in console.Lines)
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
